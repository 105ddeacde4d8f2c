/**
 * Accounts: self-registration with email verification, sign-in with lockout, accounts created by
 * an admin (with a password or an invitation), the first admin. Storage is an AccountStore;
 * emails go through the email queue; FHIR identities through FhirIdentities.
 *
 * Answers never tell whether an email has an account: registering a taken address answers like a
 * new one (the owner is emailed instead), unknown emails fail sign-in like wrong passwords (after
 * the same scrypt work), and lockout counts failures per email address whether or not it exists.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/config';
import type { Logger } from '../../platform/logger';
import type { EmailQueue } from '../../jobs/email-queue';
import type { Role } from '../auth-context';
import { ROLES, isRole } from '../auth-context';
import type { AccountRecord, AccountStore, AccountTokenPurpose } from './account-store';
import type { Account, CredentialChecker } from './types';
import { SignInRefused } from './types';
import { dummyHash, hashPassword, passwordProblem, randomPassword, verifyPassword } from './passwords';
import type { FhirIdentities } from './fhir-identities';
import { parseFhirUser } from './fhir-identities';
import { alreadyRegisteredEmail, invitationEmail, verificationEmail } from './emails';
import { AccountError, IDENTITY_TYPES, TOKEN, checkAccountType, checkName, hashToken, newToken, normalizeEmail, publicAccount, validPassword } from './account-input';

export const VERIFICATION_TTL_HOURS = 24;
export const INVITATION_TTL_HOURS = 72;
/** Failed sign-ins are forgotten a day after the last one. */
const FAILURE_MEMORY_MS = 86_400_000;

export interface AccountSettings {
  /** Where links in emails point: the public origin of the server (BASE_URL without /fhir). */
  publicUrl: string;
  loginMaxFailures: number;
  loginLockoutSeconds: number;
  adminEmail: string;
  adminPassword: string | undefined;
}

export function accountSettings(config: Config): AccountSettings {
  return {
    publicUrl: config.baseUrl.replace(/\/fhir$/, ''),
    loginMaxFailures: config.loginMaxFailures,
    loginLockoutSeconds: config.loginLockoutSeconds,
    adminEmail: config.adminEmail,
    adminPassword: config.adminPassword,
  };
}

export interface NewAccountByAdmin {
  email: string;
  role: Role;
  fhirUser?: string;
  name?: string;
  /** Either a password, or an invitation to choose one. */
  password?: string;
  invite?: boolean;
}

export class AccountService implements CredentialChecker {
  constructor(
    private readonly store: AccountStore,
    private readonly emails: EmailQueue,
    private readonly identities: FhirIdentities,
    private readonly settings: AccountSettings,
    private readonly logger: Logger,
  ) {
    // Sign-ins of unknown emails are checked against this hash: make the first one cost no more than the others.
    void dummyHash();
  }

  get fhir(): FhirIdentities {
    return this.identities;
  }

  private link(path: string, token: string): string {
    return `${this.settings.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  }

  private async issueToken(accountId: string, purpose: AccountTokenPurpose, hours: number, passwordHash?: string): Promise<string> {
    const token = newToken();
    await this.store.insertToken({ hash: hashToken(token), accountId, purpose, expiresAt: new Date(Date.now() + hours * 3_600_000), ...(passwordHash ? { passwordHash } : {}) });
    return token;
  }

  private async sendVerification(email: string, accountId: string, passwordHash: string): Promise<void> {
    const token = await this.issueToken(accountId, 'verify-email', VERIFICATION_TTL_HOURS, passwordHash);
    await this.emails.enqueue(verificationEmail(email, this.link('/auth/verify-email', token), VERIFICATION_TTL_HOURS));
  }

  /**
   * Self-registration: an inactive patient (or, with `accountType: 'applicant'`, license
   * applicant) account and a verification email. A taken address
   * answers the same; its owner is emailed (a new verification link while it is unverified,
   * else a notice). Each link carries the password of the registration that sent it, so a
   * registration made by someone else cannot choose the password of the owner's account.
   */
  async register(input: { email: unknown; password: unknown; name?: unknown; accountType?: unknown }): Promise<void> {
    const email = normalizeEmail(input.email);
    const password = validPassword(input.password, email);
    const name = checkName(input.name);
    const role = checkAccountType(input.accountType);
    const passwordHash = await hashPassword(password);
    const now = new Date();
    const record: AccountRecord = { id: randomUUID(), email, role, active: false, emailVerified: false, passwordHash, createdAt: now, updatedAt: now, ...(name ? { name } : {}) };
    if (await this.store.insert(record)) {
      await this.sendVerification(email, record.id, passwordHash);
      return;
    }
    const existing = await this.store.findByEmail(email);
    if (existing && !existing.active && !existing.emailVerified && existing.role === role) {
      await this.store.update(existing.id, { passwordHash, ...(name ? { name } : {}) });
      await this.sendVerification(email, existing.id, passwordHash);
    } else {
      await this.emails.enqueue(alreadyRegisteredEmail(email));
    }
  }

  /** Activates the account of a verification link; a self-registered patient gets its Patient resource here, an applicant its Practitioner. */
  async verifyEmail(token: unknown): Promise<Account> {
    const record = typeof token === 'string' && TOKEN.test(token) ? await this.store.consumeToken(hashToken(token), 'verify-email') : undefined;
    const account = record && (await this.store.findById(record.accountId));
    if (!record || !account) throw new AccountError('the link is invalid, has expired or was already used', 'invalid-token');
    let fhirUser = account.fhirUser;
    if (!fhirUser && account.role === 'patient') {
      fhirUser = await this.identities.createPatient({ email: account.email, ...(account.name ? { name: account.name } : {}) });
    } else if (!fhirUser && account.role === 'applicant') {
      fhirUser = await this.identities.createPractitioner({ email: account.email, ...(account.name ? { name: account.name } : {}) });
    }
    const changes = { active: true, emailVerified: true, ...(fhirUser ? { fhirUser } : {}), ...(record.passwordHash ? { passwordHash: record.passwordHash } : {}) };
    await this.store.update(account.id, changes);
    await this.store.deleteTokens(account.id, 'verify-email');
    this.logger.info({ accountId: account.id, fhirUser }, 'email verified; account active');
    return { ...publicAccount(account), ...changes };
  }

  /** A new verification link for an unverified self-registration; the same answer whatever the address. */
  async resendVerification(emailInput: unknown): Promise<void> {
    const email = normalizeEmail(emailInput);
    const account = await this.store.findByEmail(email);
    if (!account || account.emailVerified || account.active || !account.passwordHash) return;
    await this.sendVerification(email, account.id, account.passwordHash);
  }

  /** Sign-in (first-party login and the SMART login page). Failures count towards lockout. */
  async checkPassword(emailInput: string, password: string, ip: string): Promise<Account> {
    const refused = () => new SignInRefused('invalid email or password', 'bad-credentials');
    let email: string;
    try {
      email = normalizeEmail(emailInput);
    } catch {
      throw refused();
    }
    if (typeof password !== 'string' || password.length === 0 || password.length > 1024) throw refused();
    const key = hashToken(`login:${email}`);
    const state = await this.store.loginFailures(key);
    if (state?.lockedUntil && state.lockedUntil.getTime() > Date.now()) {
      throw new SignInRefused('too many failed sign-ins: try again later', 'locked', Math.ceil((state.lockedUntil.getTime() - Date.now()) / 1000));
    }
    const account = await this.store.findByEmail(email);
    const matches = await verifyPassword(password, account?.passwordHash ?? (await dummyHash()));
    if (!account?.passwordHash || !matches) {
      const failures = await this.store.recordLoginFailure(key, new Date(Date.now() + FAILURE_MEMORY_MS));
      if (failures >= this.settings.loginMaxFailures) {
        await this.store.lockLogin(key, new Date(Date.now() + this.settings.loginLockoutSeconds * 1000));
        this.logger.warn({ ip, accountId: account?.id, failures }, 'sign-in locked after repeated failures');
      } else {
        this.logger.info({ ip, accountId: account?.id }, 'sign-in failed');
      }
      throw refused();
    }
    if (state) await this.store.clearLoginFailures(key);
    // Only someone who knows the password learns that the account is not active.
    if (!account.emailVerified && !account.active) throw new SignInRefused('the email address is not verified yet: follow the link we sent', 'inactive');
    if (!account.active) throw new SignInRefused('the account is disabled', 'inactive');
    return publicAccount(account);
  }

  async findById(id: string): Promise<Account | undefined> {
    const record = typeof id === 'string' && id.length <= 100 ? await this.store.findById(id) : undefined;
    return record ? publicAccount(record) : undefined;
  }

  /** Changes the password of a signed-in account, given its current one. */
  async changePassword(accountId: string, current: unknown, next: unknown): Promise<void> {
    const account = await this.store.findById(accountId);
    if (!account) throw new AccountError('no such account', 'not-found');
    if (typeof current !== 'string' || !account.passwordHash || !(await verifyPassword(current, account.passwordHash))) {
      throw new AccountError('the current password is wrong', 'invalid');
    }
    await this.store.update(account.id, { passwordHash: await hashPassword(validPassword(next, account.email)) });
  }

  /** Chooses the password of an invited account (the token came by email, so the address is verified too). */
  async setPassword(token: unknown, password: unknown): Promise<void> {
    if (typeof token !== 'string' || !TOKEN.test(token)) throw new AccountError('the link is invalid, has expired or was already used', 'invalid-token');
    if (typeof password !== 'string') throw new AccountError('password is required', 'invalid');
    const record = await this.store.consumeToken(hashToken(token), 'set-password');
    const account = record && (await this.store.findById(record.accountId));
    if (!account) throw new AccountError('the link is invalid, has expired or was already used', 'invalid-token');
    const problem = passwordProblem(password, account.email);
    if (problem) {
      // The token stays usable for a better password.
      await this.store.insertToken(record);
      throw new AccountError(problem, 'invalid');
    }
    await this.store.update(account.id, { passwordHash: await hashPassword(password), emailVerified: true });
    await this.store.clearLoginFailures(hashToken(`login:${account.email}`));
  }

  /** An active account made by an admin, linked to an existing FHIR identity that fits its role. */
  async createByAdmin(input: NewAccountByAdmin): Promise<Account & { name?: string; createdAt: Date }> {
    const email = normalizeEmail(input.email);
    if (!isRole(input.role)) throw new AccountError(`role must be one of ${ROLES.join(', ')}`, 'invalid');
    const name = checkName(input.name);
    if ((input.password === undefined) === (input.invite !== true)) throw new AccountError('give either a password or "invite": true', 'invalid');
    const password = input.password === undefined ? undefined : validPassword(input.password, email);
    const rule = IDENTITY_TYPES[input.role];
    if (input.fhirUser === undefined) {
      if (rule.required) throw new AccountError(`a ${input.role} account needs fhirUser (${rule.types.join(' or ')})`, 'invalid');
    } else {
      const parsed = typeof input.fhirUser === 'string' ? parseFhirUser(input.fhirUser) : undefined;
      if (!parsed) throw new AccountError('fhirUser must be a reference Patient/<id>, Practitioner/<id> or RelatedPerson/<id>', 'invalid');
      if (!rule.types.includes(parsed.type)) throw new AccountError(`a ${input.role} account is linked to a ${rule.types.join(' or ')}, not a ${parsed.type}`, 'invalid');
      if (!(await this.identities.exists(input.fhirUser))) throw new AccountError(`fhirUser ${input.fhirUser} does not exist`, 'invalid');
    }
    let fhirUser = input.fhirUser;
    // An applicant made by an admin gets its own inactive Practitioner, like a self-registered one.
    if (fhirUser === undefined && input.role === 'applicant') {
      if (await this.store.findByEmail(email)) throw new AccountError('an account with this email already exists', 'conflict');
      fhirUser = await this.identities.createPractitioner({ email, ...(name ? { name } : {}) });
    }
    const now = new Date();
    const record: AccountRecord = {
      id: randomUUID(),
      email,
      role: input.role,
      active: true,
      emailVerified: false,
      createdAt: now,
      updatedAt: now,
      ...(fhirUser ? { fhirUser } : {}),
      ...(name ? { name } : {}),
      ...(password ? { passwordHash: await hashPassword(password) } : {}),
    };
    if (!(await this.store.insert(record))) throw new AccountError('an account with this email already exists', 'conflict');
    if (input.invite) {
      const token = await this.issueToken(record.id, 'set-password', INVITATION_TTL_HOURS);
      await this.emails.enqueue(invitationEmail(email, this.link('/auth/set-password', token), token, INVITATION_TTL_HOURS));
    }
    this.logger.info({ accountId: record.id, role: record.role, fhirUser: record.fhirUser, invited: input.invite === true }, 'account created by an admin');
    return publicAccount(record);
  }

  async list(filter: { email?: string; role?: Role }, limit: number): Promise<Array<Account & { name?: string; createdAt: Date }>> {
    const records = await this.store.list(filter, limit);
    return records.map(publicAccount);
  }

  /**
   * First start: without any admin account, creates one from ADMIN_EMAIL/ADMIN_PASSWORD, or with
   * a random password logged once. Safe with several processes starting together: the unique
   * email index lets exactly one insert win, and only the winner logs.
   */
  async ensureAdmin(): Promise<void> {
    if (await this.store.hasRole('admin')) return;
    let email: string;
    try {
      email = normalizeEmail(this.settings.adminEmail);
    } catch {
      throw new Error(`ADMIN_EMAIL is not a valid email address: "${this.settings.adminEmail.slice(0, 100)}"`);
    }
    const generated = this.settings.adminPassword === undefined;
    const password = this.settings.adminPassword ?? randomPassword();
    const problem = passwordProblem(password, email);
    if (problem) throw new Error(`ADMIN_PASSWORD is refused: ${problem}`);
    const now = new Date();
    const record: AccountRecord = { id: randomUUID(), email, role: 'admin', active: true, emailVerified: false, passwordHash: await hashPassword(password), createdAt: now, updatedAt: now };
    if (!(await this.store.insert(record))) {
      const existing = await this.store.findByEmail(email);
      if (existing && existing.role !== 'admin') this.logger.error({ email }, 'no admin account exists and ADMIN_EMAIL belongs to a non-admin account: no admin was created');
      return;
    }
    if (generated) {
      this.logger.warn(
        { email, password },
        `FIRST START: created the admin account ${email} with a generated password (shown only this once): ${password} — sign in with POST /auth/login and change it with POST /auth/change-password`,
      );
    } else {
      this.logger.info({ email }, 'created the admin account from ADMIN_EMAIL/ADMIN_PASSWORD');
    }
  }
}
