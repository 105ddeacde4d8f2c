/** The persistence contract of accounts (the MongoDB implementation is store/mongo/account-store.ts). */
import type { Role } from '../auth-context';
import type { Account } from './types';

export interface AccountRecord extends Account {
  name?: string;
  /** scrypt hash (passwords.ts); absent for an invited account that has not chosen one yet. */
  passwordHash?: string;
  createdAt: Date;
  updatedAt: Date;
}

export type AccountChanges = Partial<Pick<AccountRecord, 'name' | 'passwordHash' | 'role' | 'fhirUser' | 'active' | 'emailVerified'>>;

/** What a single-use emailed token is for. */
export type AccountTokenPurpose = 'verify-email' | 'set-password';

export interface AccountTokenRecord {
  /** sha256 of the token, base64url: the token itself is never stored. */
  hash: string;
  accountId: string;
  purpose: AccountTokenPurpose;
  expiresAt: Date;
  /** verify-email: the password chosen by the registration that sent this link. */
  passwordHash?: string;
}

/** Consecutive failed sign-ins of one email address (hashed), whether or not it has an account. */
export interface LoginFailures {
  failures: number;
  lockedUntil?: Date;
}

export interface AccountStore {
  /** Collections and indexes (a unique index on email). */
  init(): Promise<void>;
  /** False when the email is taken (the unique index decides, also between processes). */
  insert(record: AccountRecord): Promise<boolean>;
  findById(id: string): Promise<AccountRecord | undefined>;
  /** `email` lower-cased. */
  findByEmail(email: string): Promise<AccountRecord | undefined>;
  /** Sorted by email. */
  list(filter: { email?: string; role?: Role }, limit: number): Promise<AccountRecord[]>;
  hasRole(role: Role): Promise<boolean>;
  update(id: string, changes: AccountChanges): Promise<void>;

  insertToken(record: AccountTokenRecord): Promise<void>;
  /** Removes and returns the token when it exists for `purpose` and has not expired (single use, also under races). */
  consumeToken(hash: string, purpose: AccountTokenPurpose): Promise<AccountTokenRecord | undefined>;
  deleteTokens(accountId: string, purpose: AccountTokenPurpose): Promise<void>;

  loginFailures(key: string): Promise<LoginFailures | undefined>;
  /** Counts one more failure (kept until `forgetAt`); the count after it. */
  recordLoginFailure(key: string, forgetAt: Date): Promise<number>;
  /** Locks until `until` and restarts the count. */
  lockLogin(key: string, until: Date): Promise<void>;
  clearLoginFailures(key: string): Promise<void>;
}
