/**
 * Accounts (auth/accounts/account-store.ts) in `auth_accounts` (unique index on email), their
 * single-use emailed tokens in `auth_account_tokens` (by hash, TTL) and failed sign-ins per
 * hashed email in `auth_login_failures` (TTL).
 */
import type { Db } from 'mongodb';
import type { Role } from '../../auth/auth-context';
import type {
  AccountChanges,
  AccountRecord,
  AccountStore,
  AccountTokenPurpose,
  AccountTokenRecord,
  LoginFailures,
} from '../../auth/accounts/account-store';
import { isDuplicateKey } from './write-errors';

type AccountDoc = Omit<AccountRecord, 'id'> & { _id: string };
type TokenDoc = Omit<AccountTokenRecord, 'hash'> & { _id: string };
interface FailureDoc {
  _id: string;
  failures: number;
  lockedUntil?: Date;
  expiresAt: Date;
}

function toRecord(doc: AccountDoc): AccountRecord {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

export class MongoAccountStore implements AccountStore {
  constructor(private readonly db: Db) {}

  private get accounts() {
    return this.db.collection<AccountDoc>('auth_accounts');
  }
  private get tokens() {
    return this.db.collection<TokenDoc>('auth_account_tokens');
  }
  private get failures() {
    return this.db.collection<FailureDoc>('auth_login_failures');
  }

  async init(): Promise<void> {
    await this.accounts.createIndexes([
      { key: { email: 1 }, name: 'email_unique', unique: true },
      { key: { role: 1, email: 1 }, name: 'role_email' },
    ]);
    await this.tokens.createIndexes([{ key: { accountId: 1, purpose: 1 } }, { key: { expiresAt: 1 }, expireAfterSeconds: 0 }]);
    await this.failures.createIndexes([{ key: { expiresAt: 1 }, expireAfterSeconds: 0 }]);
  }

  async insert(record: AccountRecord): Promise<boolean> {
    const { id, ...rest } = record;
    try {
      await this.accounts.insertOne({ _id: id, ...rest });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async findById(id: string): Promise<AccountRecord | undefined> {
    const doc = await this.accounts.findOne({ _id: id });
    return doc ? toRecord(doc) : undefined;
  }

  async findByEmail(email: string): Promise<AccountRecord | undefined> {
    const doc = await this.accounts.findOne({ email });
    return doc ? toRecord(doc) : undefined;
  }

  async list(filter: { email?: string; role?: Role }, limit: number): Promise<AccountRecord[]> {
    const query: Partial<Pick<AccountDoc, 'email' | 'role'>> = {};
    if (filter.role !== undefined) query.role = filter.role;
    if (filter.email !== undefined) query.email = filter.email;
    const docs = await this.accounts.find(query).sort({ email: 1 }).limit(limit).toArray();
    return docs.map(toRecord);
  }

  async hasRole(role: Role): Promise<boolean> {
    return (await this.accounts.findOne({ role }, { projection: { _id: 1 } })) !== null;
  }

  async update(id: string, changes: AccountChanges): Promise<void> {
    await this.accounts.updateOne({ _id: id }, { $set: { ...changes, updatedAt: new Date() } });
  }

  async insertToken(record: AccountTokenRecord): Promise<void> {
    const { hash, ...rest } = record;
    await this.tokens.insertOne({ _id: hash, ...rest });
  }

  async consumeToken(hash: string, purpose: AccountTokenPurpose): Promise<AccountTokenRecord | undefined> {
    const doc = await this.tokens.findOne({ _id: hash, purpose });
    if (!doc) return undefined;
    // Whoever deletes it uses it: of two concurrent uses exactly one gets it.
    const { deletedCount } = await this.tokens.deleteOne({ _id: hash, purpose });
    if (deletedCount !== 1 || doc.expiresAt.getTime() <= Date.now()) return undefined;
    const { _id, ...rest } = doc;
    return { hash: _id, ...rest };
  }

  async deleteTokens(accountId: string, purpose: AccountTokenPurpose): Promise<void> {
    await this.tokens.deleteMany({ accountId, purpose });
  }

  async loginFailures(key: string): Promise<LoginFailures | undefined> {
    const doc = await this.failures.findOne({ _id: key });
    if (!doc) return undefined;
    return doc.lockedUntil ? { failures: doc.failures, lockedUntil: doc.lockedUntil } : { failures: doc.failures };
  }

  async recordLoginFailure(key: string, forgetAt: Date): Promise<number> {
    const doc = await this.failures.findOneAndUpdate(
      { _id: key },
      { $inc: { failures: 1 }, $set: { expiresAt: forgetAt } },
      { upsert: true, returnDocument: 'after' },
    );
    return doc?.failures ?? 1;
  }

  async lockLogin(key: string, until: Date): Promise<void> {
    await this.failures.updateOne({ _id: key }, { $set: { failures: 0, lockedUntil: until, expiresAt: until } }, { upsert: true });
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.failures.deleteOne({ _id: key });
  }
}
