/** Checking what account requests carry, and the account as it may be shown (no password hash). */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../auth-context';
import type { AccountRecord } from './account-store';
import { passwordProblem } from './passwords';
import type { Account } from './types';

const MAX_EMAIL = 254;
const MAX_NAME = 200;
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
export const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

/** A request the account service refuses; the message is safe to show. */
export class AccountError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'conflict' | 'invalid-token' | 'not-found',
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

/** Roles whose accounts must be linked to a FHIR identity, and which identities fit each role. */
export const IDENTITY_TYPES: Record<Role, { required: boolean; types: readonly string[] }> = {
  admin: { required: false, types: ['Practitioner'] },
  'registry-admin': { required: false, types: ['Practitioner'] },
  clerk: { required: false, types: ['Practitioner'] },
  doctor: { required: true, types: ['Practitioner'] },
  nurse: { required: true, types: ['Practitioner'] },
  pharmacist: { required: true, types: ['Practitioner'] },
  patient: { required: true, types: ['Patient', 'RelatedPerson'] },
  // Without one, the applicant's own (inactive) Practitioner is created for it.
  applicant: { required: false, types: ['Practitioner'] },
};

/** What self-registration may ask for (`accountType` of POST /auth/register); patient by default. */
export const SELF_REGISTERED_ROLES = ['patient', 'applicant'] as const;
export type SelfRegisteredRole = (typeof SELF_REGISTERED_ROLES)[number];

export function checkAccountType(value: unknown): SelfRegisteredRole {
  if (value === undefined) return 'patient';
  if (typeof value === 'string' && (SELF_REGISTERED_ROLES as readonly string[]).includes(value)) return value as SelfRegisteredRole;
  throw new AccountError(`accountType must be one of ${SELF_REGISTERED_ROLES.join(', ')}`, 'invalid');
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
export const newToken = () => randomBytes(32).toString('base64url');

/** Lower-cased and checked; AccountError when it is not an address. */
export function normalizeEmail(email: unknown): string {
  if (typeof email !== 'string') throw new AccountError('email is required', 'invalid');
  const normalized = email.trim().toLowerCase();
  if (normalized.length > MAX_EMAIL || !EMAIL.test(normalized)) throw new AccountError('email is not a valid email address', 'invalid');
  return normalized;
}

export function validPassword(password: unknown, email: string): string {
  if (typeof password !== 'string') throw new AccountError('password is required', 'invalid');
  const problem = passwordProblem(password, email);
  if (problem) throw new AccountError(problem, 'invalid');
  return password;
}

export function checkName(name: unknown): string | undefined {
  if (name === undefined) return undefined;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME) throw new AccountError(`name must be a text of 1 to ${MAX_NAME} characters`, 'invalid');
  return name.trim();
}

/** The account as the rest of the server sees it: never the password hash. */
export function publicAccount(record: AccountRecord): Account & { name?: string; createdAt: Date } {
  const { id, email, role, fhirUser, active, emailVerified, name, createdAt } = record;
  return { id, email, role, ...(fhirUser ? { fhirUser } : {}), active, emailVerified, ...(name ? { name } : {}), createdAt };
}
