/**
 * POST /oauth2/revoke (RFC 7009) and POST /oauth2/introspect (RFC 7662).
 *
 * Revocation: the client authenticates (a public client names itself with client_id) and may
 * revoke its own access and refresh tokens; a refresh token takes its whole family with it.
 * Unknown, expired or other clients' tokens are answered 200 all the same and left alone.
 *
 * Introspection: by a confidential client (client_secret_basic or private_key_jwt), about
 * tokens issued to that client, or by an admin's bearer token, about any token. Public clients
 * cannot introspect. Anything else is `{"active": false}`.
 */
import jwt from 'jsonwebtoken';
import type { AccessTokens } from '../access-tokens';
import type { AuthContext } from '../auth-context';
import type { RefreshTokens } from '../refresh-tokens';
import { adminFromBearer } from './bearer';
import type { ClientAuthenticator, FormParams } from './client-authentication';
import { OAuthError } from './oauth-errors';

const looksLikeJwt = (token: string) => token.split('.').length === 3;

export class TokenIntrospection {
  constructor(
    private readonly authenticator: ClientAuthenticator,
    private readonly tokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
  ) {}

  async revoke(authorization: string | undefined, params: FormParams): Promise<void> {
    const { client } = await this.authenticator.authenticate(authorization, params);
    const token = params.token;
    if (!token) throw new OAuthError('invalid_request', 'token is required');
    if (token.length > 8192) return;
    const hint = params.token_type_hint;
    const accessFirst = hint === 'refresh_token' ? false : hint === 'access_token' || looksLikeJwt(token);
    if (accessFirst) {
      const access = this.verifyAccess(token);
      if (access) {
        if (access.clientId === client.clientId) await this.tokens.revoke(access);
        return;
      }
    }
    const refresh = await this.refreshTokens.inspect(token);
    if (refresh && refresh.subject.clientId === client.clientId) await this.refreshTokens.revoke(token);
  }

  async introspect(authorization: string | undefined, params: FormParams): Promise<Record<string, unknown>> {
    let callerClient: string | undefined;
    if (authorization !== undefined && /^Bearer /i.test(authorization)) {
      adminFromBearer(this.tokens, authorization);
    } else {
      const { client, authenticated } = await this.authenticator.authenticate(authorization, params);
      if (!authenticated) throw new OAuthError('invalid_client', 'public clients cannot introspect tokens', 401);
      callerClient = client.clientId;
    }
    const token = params.token;
    if (!token) throw new OAuthError('invalid_request', 'token is required');
    if (token.length > 8192) return { active: false };
    const mayKnow = (clientId: string) => callerClient === undefined || callerClient === clientId;

    if (params.token_type_hint !== 'refresh_token' && looksLikeJwt(token)) {
      const access = this.verifyAccess(token);
      if (!access || !mayKnow(access.clientId)) return { active: false };
      const decoded = jwt.decode(token) as jwt.JwtPayload | null;
      return {
        active: true,
        token_type: 'Bearer',
        scope: access.scopes.join(' '),
        client_id: access.clientId,
        sub: access.subject,
        exp: access.expiresAt,
        ...(typeof decoded?.iat === 'number' ? { iat: decoded.iat } : {}),
        ...(typeof decoded?.iss === 'string' ? { iss: decoded.iss } : {}),
        ...(decoded?.aud !== undefined ? { aud: decoded.aud } : {}),
        jti: access.tokenId,
        ...(access.fhirUser ? { fhirUser: access.fhirUser } : {}),
        ...(access.patient ? { patient: access.patient } : {}),
      };
    }
    const refresh = await this.refreshTokens.inspect(token);
    if (!refresh || refresh.usedAt || refresh.revokedAt || refresh.expiresAt.getTime() <= Date.now() || !mayKnow(refresh.subject.clientId)) {
      return { active: false };
    }
    return {
      active: true,
      token_type: 'refresh_token',
      scope: refresh.subject.scope,
      client_id: refresh.subject.clientId,
      sub: refresh.subject.subject,
      exp: Math.floor(refresh.expiresAt.getTime() / 1000),
      ...(refresh.subject.fhirUser ? { fhirUser: refresh.subject.fhirUser } : {}),
      ...(refresh.subject.patient ? { patient: refresh.subject.patient } : {}),
    };
  }

  private verifyAccess(token: string): AuthContext | undefined {
    try {
      return this.tokens.verify(token);
    } catch {
      return undefined;
    }
  }
}
