/**
 * Validation of a client registration (POST /admin/clients). Everything is checked and
 * normalised here; errors are RFC 7591 `invalid_client_metadata` / `invalid_redirect_uri`.
 */
import type { ClientJwks } from './client-keys';
import { InvalidJwks, parseClientJwks } from './client-keys';
import type { ClientType, GrantType } from './clients';
import { isKnownScope } from './grants';
import { parseResourceScope, splitScopes } from '../scopes';
import { OAuthError } from './oauth-errors';

export interface ClientMetadata {
  clientId?: string;
  name: string;
  type: ClientType;
  redirectUris: string[];
  grantTypes: GrantType[];
  scopes: string[];
  jwks?: ClientJwks;
  jwksUri?: string;
}

const CLIENT_TYPES: readonly ClientType[] = ['public', 'confidential-symmetric', 'confidential-asymmetric'];
const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];
const CLIENT_ID = /^[A-Za-z0-9._~-]{3,100}$/;
const FIELDS = new Set(['client_id', 'name', 'type', 'redirect_uris', 'grant_types', 'scope', 'jwks', 'jwks_uri']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const invalid = (description: string) => new OAuthError('invalid_client_metadata', description);

/** An absolute https URL, or http on a loopback host (development and native apps); no fragment, no credentials. */
export function isAcceptableUrl(raw: string): boolean {
  if (raw.length > 2000) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.hash !== '' || raw.includes('#') || url.username !== '' || url.password !== '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

function stringArray(value: unknown, field: string, max: number): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(`${field} must be an array of strings`);
  if (value.length > max) throw invalid(`${field} has more than ${max} entries`);
  return [...new Set(value as string[])];
}

export function validateClientMetadata(body: unknown): ClientMetadata {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('the body must be a JSON object');
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw invalid(`unknown fields: ${unknown.slice(0, 5).join(', ')}`);

  if (input.client_id !== undefined && (typeof input.client_id !== 'string' || !CLIENT_ID.test(input.client_id))) {
    throw invalid('client_id must be 3 to 100 letters, digits or ._~-');
  }
  if (typeof input.name !== 'string' || input.name.trim().length === 0 || input.name.length > 200) throw invalid('name is required (1 to 200 characters)');
  if (!CLIENT_TYPES.includes(input.type as ClientType)) throw invalid(`type must be one of ${CLIENT_TYPES.join(', ')}`);
  const type = input.type as ClientType;

  const redirectUris = input.redirect_uris === undefined ? [] : stringArray(input.redirect_uris, 'redirect_uris', 20);
  for (const uri of redirectUris) {
    if (!isAcceptableUrl(uri)) {
      throw new OAuthError('invalid_redirect_uri', `redirect URI "${uri.slice(0, 200)}" must be an absolute https URL (or http on localhost) without a fragment`);
    }
  }

  const defaultGrants: GrantType[] = redirectUris.length === 0 && type === 'confidential-asymmetric' ? ['client_credentials'] : ['authorization_code', 'refresh_token'];
  const grantTypes = input.grant_types === undefined ? defaultGrants : stringArray(input.grant_types, 'grant_types', 3);
  for (const grant of grantTypes) if (!GRANT_TYPES.includes(grant as GrantType)) throw invalid(`grant type "${grant.slice(0, 50)}" is not supported`);
  if (grantTypes.length === 0) throw invalid('grant_types must not be empty');
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) throw invalid('redirect_uris are required for the authorization_code grant');
  if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code')) throw invalid('the refresh_token grant needs the authorization_code grant');
  if (grantTypes.includes('client_credentials') && type !== 'confidential-asymmetric') {
    throw invalid('client_credentials (SMART Backend Services) is for confidential-asymmetric clients only');
  }

  if (typeof input.scope !== 'string' || input.scope.length > 4000) throw invalid('scope (the scopes the client may be granted, space-separated) is required');
  const scopes = splitScopes(input.scope);
  if (scopes.length === 0) throw invalid('scope must name at least one scope');
  for (const scope of scopes) {
    if (!isKnownScope(scope)) throw invalid(`scope "${scope.slice(0, 100)}" is not a SMART scope this server grants`);
    const context = parseResourceScope(scope)?.context;
    if (context === 'system' && !grantTypes.includes('client_credentials')) throw invalid(`system/ scopes ("${scope}") need the client_credentials grant`);
    if (context !== undefined && context !== 'system' && !grantTypes.includes('authorization_code')) {
      throw invalid(`${context}/ scopes ("${scope}") need the authorization_code grant`);
    }
  }

  let jwks: ClientJwks | undefined;
  let jwksUri: string | undefined;
  if (type === 'confidential-asymmetric') {
    if ((input.jwks === undefined) === (input.jwks_uri === undefined)) throw invalid('a confidential-asymmetric client needs exactly one of jwks and jwks_uri');
    if (input.jwks !== undefined) {
      try {
        jwks = parseClientJwks(input.jwks);
      } catch (err) {
        if (err instanceof InvalidJwks) throw invalid(`jwks: ${err.message}`);
        throw err;
      }
    } else if (typeof input.jwks_uri !== 'string' || !isAcceptableUrl(input.jwks_uri)) {
      throw invalid('jwks_uri must be an absolute https URL (or http on localhost)');
    } else {
      jwksUri = input.jwks_uri;
    }
  } else if (input.jwks !== undefined || input.jwks_uri !== undefined) {
    throw invalid('jwks and jwks_uri are for confidential-asymmetric clients');
  }

  return {
    ...(typeof input.client_id === 'string' ? { clientId: input.client_id } : {}),
    name: input.name.trim(),
    type,
    redirectUris,
    grantTypes: grantTypes as GrantType[],
    scopes,
    ...(jwks ? { jwks } : {}),
    ...(jwksUri ? { jwksUri } : {}),
  };
}
