/**
 * Rotating refresh tokens (OAuth 2.0 Security BCP §4.14): each use returns a new token of the same
 * family and retires the old one; presenting a retired token again means it leaked, so the whole
 * family is revoked. Only a hash of each token is stored.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TokenSubject } from './access-tokens';

export interface RefreshTokenRecord {
  /** sha256 of the token, base64url. */
  hash: string;
  family: string;
  subject: TokenSubject;
  expiresAt: Date;
  usedAt?: Date;
  revokedAt?: Date;
}

export interface RefreshTokenStore {
  insert(record: RefreshTokenRecord): Promise<void>;
  find(hash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks the token used unless it already was; false when another use came first. */
  markUsed(hash: string, at: Date): Promise<boolean>;
  revokeFamily(family: string, at: Date): Promise<void>;
}

export class InvalidRefreshToken extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRefreshToken';
  }
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export class RefreshTokens {
  constructor(
    private readonly store: RefreshTokenStore,
    private readonly ttlSeconds: number,
  ) {}

  /** A new token, starting a family unless `family` continues one. */
  async issue(subject: TokenSubject, family: string = randomUUID()): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.store.insert({ hash: hashOf(token), family, subject, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) });
    return token;
  }

  /** Uses `token`: its subject and a replacement token. Reuse of a used token revokes its family. */
  async rotate(token: string): Promise<{ subject: TokenSubject; refreshToken: string; family: string }> {
    const record = typeof token === 'string' && token.length <= 200 ? await this.store.find(hashOf(token)) : undefined;
    if (!record) throw new InvalidRefreshToken('unknown refresh token');
    if (record.revokedAt) throw new InvalidRefreshToken('the refresh token has been revoked');
    if (record.expiresAt.getTime() <= Date.now()) throw new InvalidRefreshToken('the refresh token has expired');
    if (record.usedAt || !(await this.store.markUsed(record.hash, new Date()))) {
      await this.store.revokeFamily(record.family, new Date());
      throw new InvalidRefreshToken('the refresh token was already used; every token of its family is now revoked');
    }
    return { subject: record.subject, refreshToken: await this.issue(record.subject, record.family), family: record.family };
  }

  /** Revokes the family of `token` (logout, /oauth2/revoke); unknown tokens are ignored (RFC 7009). */
  async revoke(token: string): Promise<void> {
    const record = typeof token === 'string' && token.length <= 200 ? await this.store.find(hashOf(token)) : undefined;
    if (record) await this.store.revokeFamily(record.family, new Date());
  }

  /** Revokes every token of a family (an authorization code replayed: its tokens go). */
  async revokeFamily(family: string): Promise<void> {
    await this.store.revokeFamily(family, new Date());
  }

  /** The record of a token, for introspection (undefined when unknown). */
  async inspect(token: string): Promise<RefreshTokenRecord | undefined> {
    return typeof token === 'string' && token.length <= 200 ? this.store.find(hashOf(token)) : undefined;
  }
}
