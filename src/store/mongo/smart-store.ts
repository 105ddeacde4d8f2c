/**
 * Storage of the SMART authorization server (src/auth/smart): registered clients, pending
 * authorization requests, authorization codes, EHR launch contexts and used client-assertion
 * ids. Short-lived records carry a TTL index on the time they may go.
 */
import type { Db } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { AssertionJtiStore } from '../../auth/smart/client-assertion';
import type { AuthorizationCodeRecord, AuthorizationCodeStore, IssuedFromCode } from '../../auth/smart/authorization-codes';
import type { PendingAuthorization, PendingAuthorizationStore } from '../../auth/smart/authorization-requests';
import type { ClientStore, SmartClient } from '../../auth/smart/clients';
import type { LaunchContext, LaunchContextStore } from '../../auth/smart/launch-contexts';
import type { SmartStores } from '../../auth/smart/smart-server';

const isDuplicate = (err: unknown) => err instanceof MongoServerError && err.code === 11000;

type WithId<T, K extends keyof T> = Omit<T, K> & { _id: T[K] };

/** A stored document back as the record: `_id` becomes the record's key field. */
function fromDoc<T>(doc: { _id: unknown } | null, key: keyof T & string): T | undefined {
  if (!doc) return undefined;
  const { _id, ...rest } = doc;
  return { ...rest, [key]: _id } as T;
}

class MongoClientStore implements ClientStore {
  constructor(private readonly db: Db) {}
  private get clients() {
    return this.db.collection<WithId<SmartClient, 'clientId'>>('smart_clients');
  }
  async insert(client: SmartClient): Promise<boolean> {
    const { clientId, ...rest } = client;
    try {
      await this.clients.insertOne({ _id: clientId, ...rest });
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }
  async find(clientId: string): Promise<SmartClient | undefined> {
    return fromDoc<SmartClient>(await this.clients.findOne({ _id: clientId }), 'clientId');
  }
  async list(): Promise<SmartClient[]> {
    const docs = await this.clients.find({}).sort({ _id: 1 }).limit(1000).toArray();
    return docs.map((doc) => fromDoc<SmartClient>(doc, 'clientId')!);
  }
}

class MongoCodeStore implements AuthorizationCodeStore {
  constructor(private readonly db: Db) {}
  private get codes() {
    return this.db.collection<WithId<AuthorizationCodeRecord, 'hash'>>('smart_authorization_codes');
  }
  async insert(record: AuthorizationCodeRecord): Promise<void> {
    const { hash, ...rest } = record;
    await this.codes.insertOne({ _id: hash, ...rest });
  }
  async find(hash: string): Promise<AuthorizationCodeRecord | undefined> {
    return fromDoc<AuthorizationCodeRecord>(await this.codes.findOne({ _id: hash }), 'hash');
  }
  async markUsed(hash: string, at: Date): Promise<boolean> {
    const result = await this.codes.updateOne({ _id: hash, usedAt: { $exists: false } }, { $set: { usedAt: at } });
    return result.modifiedCount === 1;
  }
  async recordIssued(hash: string, issued: IssuedFromCode): Promise<AuthorizationCodeRecord | undefined> {
    return fromDoc<AuthorizationCodeRecord>(await this.codes.findOneAndUpdate({ _id: hash }, { $set: { issued } }, { returnDocument: 'after' }), 'hash');
  }
  async markReused(hash: string, at: Date): Promise<AuthorizationCodeRecord | undefined> {
    return fromDoc<AuthorizationCodeRecord>(await this.codes.findOneAndUpdate({ _id: hash }, { $set: { reusedAt: at } }, { returnDocument: 'after' }), 'hash');
  }
}

class MongoLaunchStore implements LaunchContextStore {
  constructor(private readonly db: Db) {}
  private get launches() {
    return this.db.collection<WithId<LaunchContext, 'id'>>('smart_launches');
  }
  async insert(context: LaunchContext): Promise<void> {
    const { id, ...rest } = context;
    await this.launches.insertOne({ _id: id, ...rest });
  }
  async find(id: string): Promise<LaunchContext | undefined> {
    return fromDoc<LaunchContext>(await this.launches.findOne({ _id: id }), 'id');
  }
}

class MongoPendingStore implements PendingAuthorizationStore {
  constructor(private readonly db: Db) {}
  private get pending() {
    return this.db.collection<WithId<PendingAuthorization, 'id'>>('smart_authorization_requests');
  }
  async insert(pending: PendingAuthorization): Promise<void> {
    const { id, ...rest } = pending;
    await this.pending.insertOne({ _id: id, ...rest });
  }
  async find(id: string): Promise<PendingAuthorization | undefined> {
    return fromDoc<PendingAuthorization>(await this.pending.findOne({ _id: id }), 'id');
  }
  async take(id: string): Promise<boolean> {
    return (await this.pending.deleteOne({ _id: id })).deletedCount === 1;
  }
}

class MongoJtiStore implements AssertionJtiStore {
  constructor(private readonly db: Db) {}
  async remember(clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.db.collection<{ _id: string; expiresAt: Date }>('smart_assertion_jtis').insertOne({ _id: `${clientId} ${jti}`, expiresAt });
      return true;
    } catch (err) {
      if (isDuplicate(err)) return false;
      throw err;
    }
  }
}

/** The SMART stores on `db`; `init` creates the TTL indexes. */
export function mongoSmartStores(db: Db): SmartStores & { init(): Promise<void> } {
  return {
    clients: new MongoClientStore(db),
    codes: new MongoCodeStore(db),
    launches: new MongoLaunchStore(db),
    pending: new MongoPendingStore(db),
    jtis: new MongoJtiStore(db),
    async init() {
      await Promise.all([
        db.collection('smart_authorization_codes').createIndex({ purgeAt: 1 }, { expireAfterSeconds: 0 }),
        db.collection('smart_launches').createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }),
        db.collection('smart_authorization_requests').createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }),
        db.collection('smart_assertion_jtis').createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }),
      ]);
    },
  };
}
