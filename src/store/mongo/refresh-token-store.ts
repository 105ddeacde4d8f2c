/** Refresh token records (auth/refresh-tokens.ts) by token hash; a TTL index drops expired ones. */
import type { Db } from 'mongodb';
import type { RefreshTokenRecord, RefreshTokenStore } from '../../auth/refresh-tokens';

type RefreshDoc = Omit<RefreshTokenRecord, 'hash'> & { _id: string };

export class MongoRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly db: Db) {}

  private get tokens() {
    return this.db.collection<RefreshDoc>('auth_refresh_tokens');
  }

  async init(): Promise<void> {
    await this.tokens.createIndexes([{ key: { family: 1 } }, { key: { expiresAt: 1 }, expireAfterSeconds: 0 }]);
  }

  async insert(record: RefreshTokenRecord): Promise<void> {
    const { hash, ...rest } = record;
    await this.tokens.insertOne({ _id: hash, ...rest });
  }

  async find(hash: string): Promise<RefreshTokenRecord | undefined> {
    const doc = await this.tokens.findOne({ _id: hash });
    if (!doc) return undefined;
    const { _id, ...rest } = doc;
    return { hash: _id, ...rest };
  }

  async markUsed(hash: string, at: Date): Promise<boolean> {
    const result = await this.tokens.updateOne({ _id: hash, usedAt: { $exists: false } }, { $set: { usedAt: at } });
    return result.modifiedCount === 1;
  }

  async revokeFamily(family: string, at: Date): Promise<void> {
    await this.tokens.updateMany({ family, revokedAt: { $exists: false } }, { $set: { revokedAt: at } });
  }
}
