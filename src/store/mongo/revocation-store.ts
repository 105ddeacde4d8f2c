/** Revoked access tokens (auth/revocations.ts). A TTL index drops them once their token has expired. */
import type { Db } from 'mongodb';
import type { RevocationStore, RevokedToken } from '../../auth/revocations';

interface RevokedDoc {
  _id: string;
  expiresAt: Date;
  revokedAt: Date;
}

export class MongoRevocationStore implements RevocationStore {
  constructor(private readonly db: Db) {}

  private get revoked() {
    return this.db.collection<RevokedDoc>('auth_revoked_tokens');
  }

  /** Indexes: `revokedAt` for polling, TTL on `expiresAt`. */
  async init(): Promise<void> {
    await this.revoked.createIndexes([{ key: { revokedAt: 1 } }, { key: { expiresAt: 1 }, expireAfterSeconds: 0 }]);
  }

  async add(entry: RevokedToken): Promise<void> {
    await this.revoked.updateOne({ _id: entry.jti }, { $set: { expiresAt: entry.expiresAt, revokedAt: entry.revokedAt } }, { upsert: true });
  }

  async since(since: Date): Promise<RevokedToken[]> {
    const docs = await this.revoked.find({ revokedAt: { $gte: since }, expiresAt: { $gt: new Date() } }).toArray();
    return docs.map((doc) => ({ jti: doc._id, expiresAt: doc.expiresAt, revokedAt: doc.revokedAt }));
  }
}
