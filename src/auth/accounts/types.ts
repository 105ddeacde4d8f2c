/** User accounts as the rest of the server sees them (the account service owns their storage). */
import type { Role } from '../auth-context';

export interface Account {
  id: string;
  /** Lower-cased. */
  email: string;
  role: Role;
  /** The FHIR identity: `Patient/123`, `Practitioner/456` or `RelatedPerson/789`. */
  fhirUser?: string;
  /** False until the email is verified (self-registration) or when an admin disables the account. */
  active: boolean;
  emailVerified: boolean;
}

/** Why a sign-in was refused; the message is safe to show (it never says whether the email exists). */
export class SignInRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'bad-credentials' | 'locked' | 'inactive' | 'rate-limited',
    /** Seconds until a locked or rate-limited caller may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'SignInRefused';
  }
}

/** What the SMART authorization server needs from accounts: checking a password at its login page. */
export interface CredentialChecker {
  /** The account, when the password is right and the account active; SignInRefused otherwise (failures count towards lockout). */
  checkPassword(email: string, password: string, ip: string): Promise<Account>;
  findById(id: string): Promise<Account | undefined>;
}
