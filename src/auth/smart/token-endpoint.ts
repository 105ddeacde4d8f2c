/**
 * POST /oauth2/token (form-encoded): the `authorization_code` grant (PKCE checked, one use),
 * `refresh_token` (rotation, only when offline_access or online_access was granted) and
 * `client_credentials` for SMART Backend Services (private_key_jwt). Express-free: the route
 * passes the Authorization header and the form values.
 */
import { randomUUID } from 'node:crypto';
import type { AccessTokens, TokenSubject } from '../access-tokens';
import type { CredentialChecker } from '../accounts/types';
import type { RefreshTokens } from '../refresh-tokens';
import { InvalidRefreshToken } from '../refresh-tokens';
import { splitScopes } from '../scopes';
import type { AuthorizationCodeRecord, AuthorizationCodes } from './authorization-codes';
import { InvalidCode } from './authorization-codes';
import type { ClientAuthenticator, FormParams } from './client-authentication';
import type { ClientRegistry, SmartClient } from './clients';
import { allowedScopes, systemScopes, wantsRefresh } from './grants';
import type { IdTokens } from './id-tokens';
import { OAuthError } from './oauth-errors';
import { verifyPkce } from './pkce';

/** What a SMART token stands for: the access token's claims plus the launch context kept with refresh tokens. */
export interface SmartSubject extends TokenSubject {
  encounter?: string;
  ehrLaunch?: boolean;
  nonce?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  patient?: string;
  encounter?: string;
  need_patient_banner?: boolean;
  fhirUser?: string;
}

export interface TokenEndpointDeps {
  authenticator: ClientAuthenticator;
  clients: ClientRegistry;
  codes: AuthorizationCodes;
  tokens: AccessTokens;
  refreshTokens: RefreshTokens;
  idTokens: IdTokens;
  /** The account service (undefined until it is built). */
  accounts: () => CredentialChecker | undefined;
}

const invalidGrant = (description: string) => new OAuthError('invalid_grant', description);

export class TokenEndpoint {
  constructor(private readonly deps: TokenEndpointDeps) {}

  async exchange(authorization: string | undefined, params: FormParams): Promise<TokenResponse> {
    const grantType = params.grant_type;
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    if (!['authorization_code', 'refresh_token', 'client_credentials'].includes(grantType)) {
      throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code, refresh_token or client_credentials');
    }
    const client = (await this.publicRefresh(authorization, params, grantType)) ?? (await this.deps.authenticator.authenticate(authorization, params)).client;
    if (!client.grantTypes.includes(grantType as SmartClient['grantTypes'][number])) {
      throw new OAuthError('unauthorized_client', `this client may not use the ${grantType} grant`);
    }
    if (grantType === 'authorization_code') return this.authorizationCode(client, params);
    if (grantType === 'refresh_token') return this.refresh(client, params);
    return this.clientCredentials(client, params);
  }

  private async authorizationCode(client: SmartClient, params: FormParams): Promise<TokenResponse> {
    if (!params.code) throw new OAuthError('invalid_request', 'code is required');
    let record: AuthorizationCodeRecord;
    try {
      record = await this.deps.codes.find(params.code);
    } catch (err) {
      if (err instanceof InvalidCode) throw invalidGrant(err.message);
      throw err;
    }
    if (record.clientId !== client.clientId) throw invalidGrant('the authorization code was issued to another client');
    if (params.redirect_uri !== record.redirectUri) throw invalidGrant('redirect_uri must be the one of the authorization request');
    if (record.codeChallenge) {
      if (!params.code_verifier) throw invalidGrant('code_verifier is required (PKCE)');
      if (!verifyPkce(record.codeChallenge, params.code_verifier)) throw invalidGrant('code_verifier does not match the code_challenge');
    } else if (params.code_verifier !== undefined) {
      throw invalidGrant('code_verifier given, but the authorization request had no code_challenge');
    }
    const account = await this.account(record.accountId);
    try {
      await this.deps.codes.claim(record);
    } catch (err) {
      if (err instanceof InvalidCode) throw invalidGrant(err.message);
      throw err;
    }
    const subject: SmartSubject = {
      subject: account.id,
      kind: 'user',
      role: account.role,
      clientId: client.clientId,
      scope: record.scope,
      ...(account.fhirUser ? { fhirUser: account.fhirUser } : {}),
      ...(record.patient ? { patient: record.patient } : {}),
      ...(record.encounter ? { encounter: record.encounter } : {}),
      ...(record.nonce ? { nonce: record.nonce } : {}),
      ehrLaunch: record.ehrLaunch,
    };
    const scopes = splitScopes(record.scope);
    const family = wantsRefresh(scopes) && client.grantTypes.includes('refresh_token') ? randomUUID() : undefined;
    const response = await this.respond(subject, record.scope, family);
    try {
      await this.deps.codes.recordIssued(record, {
        tokenId: response.tokenId,
        tokenExpiresAt: new Date(Date.now() + response.body.expires_in * 1000),
        ...(family ? { refreshFamily: family } : {}),
      });
    } catch (err) {
      if (err instanceof InvalidCode) throw invalidGrant(err.message);
      throw err;
    }
    return response.body;
  }

  private async refresh(client: SmartClient, params: FormParams): Promise<TokenResponse> {
    const token = params.refresh_token;
    if (!token) throw new OAuthError('invalid_request', 'refresh_token is required');
    const known = await this.deps.refreshTokens.inspect(token);
    // A token of another client is not touched (rotating it would let that client's token be burnt).
    if (!known || known.subject.clientId !== client.clientId) throw invalidGrant('unknown refresh token');
    // Checked before rotating, so that a refused request does not spend the token.
    const original = splitScopes(known.subject.scope);
    let scope = known.subject.scope;
    if (params.scope !== undefined) {
      const asked = splitScopes(params.scope);
      if (asked.length === 0 || asked.some((s) => !original.includes(s))) throw new OAuthError('invalid_scope', 'a refresh may only narrow the scopes originally granted');
      scope = asked.join(' ');
    }
    let rotated: Awaited<ReturnType<RefreshTokens['rotate']>>;
    try {
      rotated = await this.deps.refreshTokens.rotate(token);
    } catch (err) {
      if (err instanceof InvalidRefreshToken) throw invalidGrant(err.message);
      throw err;
    }
    const stored = rotated.subject as SmartSubject;
    let account;
    try {
      account = await this.account(stored.subject);
    } catch (err) {
      await this.deps.refreshTokens.revokeFamily(rotated.family);
      throw err;
    }
    // A refreshed id_token carries no nonce: that belonged to the original sign-in.
    const { nonce: _nonce, ...rest } = stored;
    const subject: SmartSubject = { ...rest, role: account.role, scope };
    if (account.fhirUser) subject.fhirUser = account.fhirUser;
    else delete subject.fhirUser;
    const response = await this.respond(subject, scope, undefined);
    return { ...response.body, refresh_token: rotated.refreshToken };
  }

  /**
   * A public client's refresh request may carry no client_id (RFC 6749 §6; fhirclient sends none):
   * the client is then the one the refresh token was issued to, which must be public.
   */
  private async publicRefresh(authorization: string | undefined, params: FormParams, grantType: string): Promise<SmartClient | undefined> {
    const identified = authorization !== undefined || ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'].some((name) => params[name] !== undefined);
    if (grantType !== 'refresh_token' || identified) return undefined;
    if (!params.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required');
    const record = await this.deps.refreshTokens.inspect(params.refresh_token);
    if (!record) throw invalidGrant('unknown refresh token');
    const client = await this.deps.clients.find(record.subject.clientId);
    if (!client) throw invalidGrant('unknown refresh token');
    if (client.type !== 'public') throw new OAuthError('invalid_client', 'client authentication is required', 401);
    return client;
  }

  private async clientCredentials(client: SmartClient, params: FormParams): Promise<TokenResponse> {
    const requested = splitScopes(params.scope);
    if (requested.length === 0) throw new OAuthError('invalid_scope', 'scope is required (system/ scopes)');
    const granted = systemScopes(allowedScopes(requested, client.scopes));
    if (granted.length === 0) throw new OAuthError('invalid_scope', 'none of the requested system/ scopes is allowed for this client');
    const scope = granted.join(' ');
    const issued = this.deps.tokens.issue({ subject: client.clientId, kind: 'client', clientId: client.clientId, scope });
    return { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope };
  }

  private async account(id: string) {
    const accounts = this.deps.accounts();
    if (!accounts) throw new OAuthError('server_error', 'user accounts are not available', 503);
    const account = await accounts.findById(id);
    if (!account || !account.active) throw invalidGrant('the user account is no longer active');
    return account;
  }

  /** Access token (+ refresh token in a new family, + id_token) and the SMART context of the response. */
  private async respond(subject: SmartSubject, scope: string, family: string | undefined): Promise<{ body: TokenResponse; tokenId: string }> {
    const issued = this.deps.tokens.issue({
      subject: subject.subject,
      kind: subject.kind,
      ...(subject.role ? { role: subject.role } : {}),
      clientId: subject.clientId,
      scope,
      ...(subject.fhirUser ? { fhirUser: subject.fhirUser } : {}),
      ...(subject.patient ? { patient: subject.patient } : {}),
    });
    const scopes = splitScopes(scope);
    const body: TokenResponse = { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope };
    if (family) body.refresh_token = await this.deps.refreshTokens.issue(subject, family);
    if (subject.patient) {
      body.patient = subject.patient;
      body.need_patient_banner = !subject.ehrLaunch;
    }
    if (subject.encounter) body.encounter = subject.encounter;
    const fhirUser = scopes.includes('fhirUser') ? subject.fhirUser : undefined;
    if (fhirUser) body.fhirUser = this.deps.idTokens.fhirUserUrl(fhirUser);
    if (scopes.includes('openid')) {
      body.id_token = this.deps.idTokens.sign({
        accountId: subject.subject,
        clientId: subject.clientId,
        ...(fhirUser ? { fhirUser } : {}),
        ...(subject.nonce ? { nonce: subject.nonce } : {}),
      });
    }
    return { body, tokenId: issued.tokenId };
  }
}
