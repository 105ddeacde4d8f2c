/**
 * One-time authorization codes: 60 seconds, single use, bound to the client, the redirect URI,
 * the PKCE challenge, the user, the approved scopes and the launch context. Only a hash of the
 * code is stored. A code presented twice revokes the tokens issued from it (RFC 6749 §4.1.2).
 */
import { createHash, randomBytes } from 'node:crypto';

export const CODE_TTL_SECONDS = 60;
/** How long a used code is remembered, so that a replay can still revoke what it produced. */
const CODE_MEMORY_SECONDS = 24 * 3600;

export interface AuthorizationGrant {
  clientId: string;
  redirectUri: string;
  /** S256 challenge; absent only for confidential clients that sent none. */
  codeChallenge?: string;
  accountId: string;
  /** Approved scopes, space-separated. */
  scope: string;
  patient?: string;
  encounter?: string;
  /** OpenID Connect nonce, echoed in the id_token. */
  nonce?: string;
  /** EHR launch (the EHR shows the patient banner) or standalone. */
  ehrLaunch: boolean;
}

/** What a redeemed code produced. */
export interface IssuedFromCode {
  tokenId: string;
  tokenExpiresAt: Date;
  refreshFamily?: string;
}

export interface AuthorizationCodeRecord extends AuthorizationGrant {
  hash: string;
  expiresAt: Date;
  /** When the record may be deleted (TTL index). */
  purgeAt: Date;
  usedAt?: Date;
  reusedAt?: Date;
  issued?: IssuedFromCode;
}

export interface AuthorizationCodeStore {
  insert(record: AuthorizationCodeRecord): Promise<void>;
  find(hash: string): Promise<AuthorizationCodeRecord | undefined>;
  /** Marks the code used unless it already was; false when another use came first. */
  markUsed(hash: string, at: Date): Promise<boolean>;
  /** Records what the code produced; returns the record as it is after the write. */
  recordIssued(hash: string, issued: IssuedFromCode): Promise<AuthorizationCodeRecord | undefined>;
  /** Marks a replay; returns the record as it is after the write. */
  markReused(hash: string, at: Date): Promise<AuthorizationCodeRecord | undefined>;
}

export class InvalidCode extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCode';
  }
}

const hashOf = (code: string) => createHash('sha256').update(code).digest('base64url');

export class AuthorizationCodes {
  constructor(
    private readonly store: AuthorizationCodeStore,
    /** Revokes the tokens a replayed code had produced. */
    private readonly revokeIssued: (issued: IssuedFromCode) => Promise<void>,
  ) {}

  async issue(grant: AuthorizationGrant): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.store.insert({ ...grant, hash: hashOf(code), expiresAt: new Date(now + CODE_TTL_SECONDS * 1000), purgeAt: new Date(now + CODE_MEMORY_SECONDS * 1000) });
    return code;
  }

  /** The code's record, if it exists and was never used; a second use revokes what the first produced. */
  async find(code: string): Promise<AuthorizationCodeRecord> {
    const record = typeof code === 'string' && code.length <= 200 ? await this.store.find(hashOf(code)) : undefined;
    if (!record) throw new InvalidCode('unknown authorization code');
    if (record.usedAt) {
      await this.replayed(record.hash);
      throw new InvalidCode('the authorization code was already used; the tokens issued from it are revoked');
    }
    if (record.expiresAt.getTime() <= Date.now()) throw new InvalidCode('the authorization code has expired');
    return record;
  }

  /** Takes the code for this request; false (and revocation) when a concurrent request took it first. */
  async claim(record: AuthorizationCodeRecord): Promise<void> {
    if (!(await this.store.markUsed(record.hash, new Date()))) {
      await this.replayed(record.hash);
      throw new InvalidCode('the authorization code was already used; the tokens issued from it are revoked');
    }
  }

  /** Records the tokens issued from a claimed code; if a replay came meanwhile, revokes them and fails. */
  async recordIssued(record: AuthorizationCodeRecord, issued: IssuedFromCode): Promise<void> {
    const after = await this.store.recordIssued(record.hash, issued);
    if (after?.reusedAt) {
      await this.revokeIssued(issued);
      throw new InvalidCode('the authorization code was used twice; the tokens issued from it are revoked');
    }
  }

  private async replayed(hash: string): Promise<void> {
    const after = await this.store.markReused(hash, new Date());
    if (after?.issued) await this.revokeIssued(after.issued);
  }
}
