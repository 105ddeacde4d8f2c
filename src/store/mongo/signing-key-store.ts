/** Generated token-signing keys (auth/signing-keys.ts), one current key under a fixed `_id`. */
import type { Db } from 'mongodb';
import type { SigningKeyStore, StoredSigningKey } from '../../auth/signing-keys';
import { isDuplicateKey } from './write-errors';

const CURRENT = 'current';

interface KeyDoc extends StoredSigningKey {
  _id: string;
}

export class MongoSigningKeyStore implements SigningKeyStore {
  constructor(private readonly db: Db) {}

  private get keys() {
    return this.db.collection<KeyDoc>('auth_signing_keys');
  }

  async current(): Promise<StoredSigningKey | undefined> {
    const doc = await this.keys.findOne({ _id: CURRENT });
    return doc ? { kid: doc.kid, privateKeyPem: doc.privateKeyPem, createdAt: doc.createdAt } : undefined;
  }

  async storeIfAbsent(key: StoredSigningKey): Promise<StoredSigningKey> {
    try {
      await this.keys.insertOne({ _id: CURRENT, ...key });
      return key;
    } catch (err) {
      // Another process generated one first: everyone signs with that one.
      if (!isDuplicateKey(err)) throw err;
      return (await this.current())!;
    }
  }
}
