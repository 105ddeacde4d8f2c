/**
 * Bearer tokens on the SMART management endpoints (/admin/clients, POST /oauth2/launch, and
 * introspection by an admin), with OAuth-style errors. Like /admin/users, they take only tokens
 * of the server's own sign-in (`baobab-first-party`, POST /auth/login): a third-party app a staff
 * member signed in to cannot register clients or create launch contexts with that token.
 */
import type { AccessTokens } from '../access-tokens';
import type { AuthContext } from '../auth-context';
import { FIRST_PARTY_CLIENT_ID } from '../accounts/first-party';
import { OAuthError } from './oauth-errors';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The signed-in user of `authorization` when `allowed` accepts them; 401 or 403 otherwise. */
export function userFromBearer(tokens: AccessTokens, authorization: string | undefined, allowed: (auth: AuthContext) => boolean, who: string): AuthContext {
  const match = authorization === undefined ? null : BEARER.exec(authorization);
  if (!match) throw new OAuthError('invalid_token', `an access token of ${who} is required`, 401, { 'WWW-Authenticate': 'Bearer realm="baobab"' });
  let auth: AuthContext;
  try {
    auth = tokens.verify(match[1]!);
  } catch {
    throw new OAuthError('invalid_token', 'the access token is invalid, expired or revoked', 401, { 'WWW-Authenticate': 'Bearer realm="baobab", error="invalid_token"' });
  }
  if (auth.kind === 'user' && allowed(auth) && auth.clientId !== FIRST_PARTY_CLIENT_ID) {
    throw new OAuthError('insufficient_scope', 'this needs a token from the server sign-in (POST /auth/login), not from a third-party app', 403, {
      'WWW-Authenticate': 'Bearer realm="baobab", error="insufficient_scope"',
    });
  }
  if (auth.kind !== 'user' || !allowed(auth)) {
    throw new OAuthError('insufficient_scope', `only ${who} may do this`, 403, { 'WWW-Authenticate': 'Bearer realm="baobab", error="insufficient_scope"' });
  }
  return auth;
}

export const adminFromBearer = (tokens: AccessTokens, authorization: string | undefined) => userFromBearer(tokens, authorization, (auth) => auth.role === 'admin', 'an admin');

/** Staff: every role but patient. */
export const staffFromBearer = (tokens: AccessTokens, authorization: string | undefined) =>
  userFromBearer(tokens, authorization, (auth) => auth.role !== undefined && auth.role !== 'patient', 'a staff user');
