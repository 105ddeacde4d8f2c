/**
 * The authorization request (GET or POST /oauth2/authorize), checked in the order RFC 6749
 * §4.1.2.1 needs: until the client and its redirect URI are known good, errors are shown to
 * the user and never redirected; after that, they go back to the app with `error`,
 * `error_description` and `state`. A valid request waits (ten minutes at most) as a pending
 * authorization while the user signs in and approves it.
 */
import type { ClientRegistry } from './clients';
import { allowedScopes } from './grants';
import type { LaunchContexts } from './launch-contexts';
import { OAuthError } from './oauth-errors';
import { isValidChallenge } from './pkce';
import { splitScopes } from '../scopes';

export const PENDING_TTL_SECONDS = 600;

export interface PendingAuthorization {
  /** Hash of the handle the consent form carries. */
  id: string;
  /** Hash of the browser-binding cookie set with the form. */
  browserHash: string;
  clientId: string;
  clientName: string;
  redirectUri: string;
  state: string;
  /** Requested scopes the client may have, before the launch context filters them. */
  scopes: string[];
  codeChallenge?: string;
  nonce?: string;
  /** EHR launch: the context the `launch` parameter named. */
  launch?: { patient?: string; encounter?: string; createdBy: string };
  expiresAt: Date;
}

export interface PendingAuthorizationStore {
  insert(pending: PendingAuthorization): Promise<void>;
  find(id: string): Promise<PendingAuthorization | undefined>;
  /** Removes it; false when a concurrent submission already did. */
  take(id: string): Promise<boolean>;
}

export type AuthorizationRequest = Omit<PendingAuthorization, 'id' | 'browserHash' | 'expiresAt'>;

export type CheckedRequest =
  | { outcome: 'ok'; request: AuthorizationRequest }
  /** Shown to the user: the redirect URI cannot be trusted. */
  | { outcome: 'page'; error: OAuthError }
  /** Sent back to the app. */
  | { outcome: 'redirect'; redirectUri: string; state?: string; error: OAuthError };

/** Query or form values → single strings; names given more than once are listed. */
export function singleValues(source: unknown): { params: Record<string, string>; repeated: string[] } {
  // Without a prototype: the names are user input.
  const params = Object.create(null) as Record<string, string>;
  const repeated: string[] = [];
  if (source && typeof source === 'object') {
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      if (typeof value === 'string') params[name] = value;
      else if (Array.isArray(value)) repeated.push(name);
    }
  }
  return { params, repeated };
}

/** `redirectUri` with OAuth response parameters added to its query. */
export function redirectWith(redirectUri: string, values: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) if (value !== undefined) url.searchParams.append(name, value);
  return url.href;
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

export async function checkAuthorizationRequest(
  source: unknown,
  deps: { clients: ClientRegistry; launches: LaunchContexts; audience: string },
): Promise<CheckedRequest> {
  const { params, repeated } = singleValues(source);
  const page = (description: string): CheckedRequest => ({ outcome: 'page', error: new OAuthError('invalid_request', description) });
  if (repeated.includes('client_id') || repeated.includes('redirect_uri')) return page('client_id and redirect_uri must be given once');
  if (!params.client_id) return page('client_id is required');
  const client = await deps.clients.find(params.client_id);
  if (!client) return page('unknown client_id');
  if (!params.redirect_uri) return page('redirect_uri is required');
  if (!client.redirectUris.includes(params.redirect_uri)) return page('redirect_uri is not one registered for this client');

  const redirectUri = params.redirect_uri;
  const state = repeated.includes('state') ? undefined : params.state;
  const fail = (error: OAuthError['error'], description: string): CheckedRequest => ({
    outcome: 'redirect',
    redirectUri,
    ...(state !== undefined ? { state } : {}),
    error: new OAuthError(error, description),
  });
  if (repeated.length > 0) return fail('invalid_request', `parameters given more than once: ${repeated.slice(0, 5).join(', ')}`);
  if (params.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be "code"');
  if (!client.grantTypes.includes('authorization_code')) return fail('unauthorized_client', 'this client may not use the authorization code grant');
  if (!state) return fail('invalid_request', 'state is required');
  if (state.length > 2000) return fail('invalid_request', 'state is too long');
  if (!params.aud) return fail('invalid_request', `aud is required: the FHIR base URL ${deps.audience}`);
  if (!sameUrl(params.aud, deps.audience)) return fail('invalid_request', `aud must be this server's FHIR base URL ${deps.audience}`);

  const method = params.code_challenge_method;
  const challenge = params.code_challenge;
  if (challenge === undefined) {
    if (method !== undefined) return fail('invalid_request', 'code_challenge_method without code_challenge');
    if (client.type === 'public') return fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256');
  } else {
    if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256 (plain is not supported)');
    if (!isValidChallenge(challenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 digest (43 characters)');
  }
  if (params.nonce !== undefined && params.nonce.length > 500) return fail('invalid_request', 'nonce is too long');

  let launch: AuthorizationRequest['launch'];
  if (params.launch !== undefined) {
    const context = await deps.launches.resolve(params.launch, client.clientId);
    if (!context) return fail('invalid_request', 'the launch parameter is unknown, expired or for another app');
    launch = {
      createdBy: context.createdBy,
      ...(context.patient ? { patient: context.patient } : {}),
      ...(context.encounter ? { encounter: context.encounter } : {}),
    };
  }

  const requested = splitScopes(params.scope);
  if (requested.length === 0) return fail('invalid_scope', 'scope is required');
  const scopes = allowedScopes(requested, client.scopes);
  if (scopes.length === 0) return fail('invalid_scope', 'none of the requested scopes is allowed for this client');

  return {
    outcome: 'ok',
    request: {
      clientId: client.clientId,
      clientName: client.name,
      redirectUri,
      state,
      scopes,
      ...(challenge ? { codeChallenge: challenge } : {}),
      ...(params.nonce ? { nonce: params.nonce } : {}),
      ...(launch ? { launch } : {}),
    },
  };
}
