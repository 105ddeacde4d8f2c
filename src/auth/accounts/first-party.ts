/**
 * Tokens for Baobab's own apps (`/auth/login`, `/auth/refresh`, `/auth/logout`), as the client
 * `baobab-first-party`. The scope is the widest the account's role can use, because the effective
 * permission is always the intersection of role and scopes (access policy): staff get
 * `user/*.cruds`, patients `patient/*.cruds` with the patient context (`launch/patient` and the
 * `patient` claim), and every account `fhirUser` when it is linked and `offline_access` (a refresh
 * token comes with every sign-in). No `openid`: this endpoint issues no id_token.
 */
import type { AccessTokens, TokenSubject } from '../access-tokens';
import type { AuthContext } from '../auth-context';
import type { RefreshTokens } from '../refresh-tokens';
import { InvalidRefreshToken } from '../refresh-tokens';
import type { AccountService } from './account-service';
import type { Account } from './types';

export const FIRST_PARTY_CLIENT_ID = 'baobab-first-party';

/** RFC 6749 §5.1 token response (+ SMART's `patient`). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
  patient?: string;
}

export function firstPartyScope(account: Pick<Account, 'role' | 'fhirUser'>, patient: string | undefined): string {
  const scopes = account.role === 'patient' ? ['launch/patient', 'patient/*.cruds'] : ['user/*.cruds'];
  if (account.fhirUser) scopes.unshift('fhirUser');
  scopes.push('offline_access');
  return account.role === 'patient' && !patient ? scopes.filter((s) => s !== 'launch/patient').join(' ') : scopes.join(' ');
}

export class FirstPartySessions {
  constructor(
    private readonly accounts: AccountService,
    private readonly tokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
  ) {}

  private async subjectFor(account: Account): Promise<TokenSubject> {
    const patient = account.role === 'patient' && account.fhirUser ? await this.accounts.fhir.patientOf(account.fhirUser) : undefined;
    return {
      subject: account.id,
      kind: 'user',
      role: account.role,
      clientId: FIRST_PARTY_CLIENT_ID,
      scope: firstPartyScope(account, patient),
      ...(account.fhirUser ? { fhirUser: account.fhirUser } : {}),
      ...(patient ? { patient } : {}),
    };
  }

  private respond(subject: TokenSubject, refreshToken: string): TokenResponse {
    const issued = this.tokens.issue(subject);
    return {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      refresh_token: refreshToken,
      scope: subject.scope,
      ...(subject.patient ? { patient: subject.patient } : {}),
    };
  }

  /** After a successful sign-in: a new token pair, starting a refresh token family. */
  async signIn(account: Account): Promise<TokenResponse> {
    const subject = await this.subjectFor(account);
    return this.respond(subject, await this.refreshTokens.issue(subject));
  }

  /**
   * A refresh token for a new pair (rotated; reuse of a used one revokes its family). The account
   * is read again, so a disabled account gets nothing and a changed role or identity applies to
   * the new access token.
   */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    const record = await this.refreshTokens.inspect(refreshToken);
    if (record && record.subject.clientId !== FIRST_PARTY_CLIENT_ID) throw new InvalidRefreshToken('the refresh token was not issued to this client');
    const rotated = await this.refreshTokens.rotate(refreshToken);
    const account = await this.accounts.findById(rotated.subject.subject);
    if (!account?.active) {
      await this.refreshTokens.revoke(rotated.refreshToken);
      throw new InvalidRefreshToken('the account is not active');
    }
    const subject = await this.subjectFor(account);
    return this.respond(subject, rotated.refreshToken);
  }

  /** Revokes the access token and, when given and the caller's own, the refresh token's family. */
  async signOut(auth: AuthContext, refreshToken: string | undefined): Promise<void> {
    await this.tokens.revoke(auth);
    if (refreshToken === undefined) return;
    const record = await this.refreshTokens.inspect(refreshToken);
    if (record && record.subject.subject === auth.subject) await this.refreshTokens.revoke(refreshToken);
  }
}
