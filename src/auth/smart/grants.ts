/**
 * Which scopes a token gets: what the app asked for, as far as its registration allows, then
 * only what the launch can honour (patient/ scopes need a patient context, system/ scopes belong
 * to backend services). Pure functions.
 */
import type { ResourceScope } from '../scopes';
import { parseResourceScope, splitScopes } from '../scopes';

/** Scopes that are not resource scopes and that we understand. */
export const NON_RESOURCE_SCOPES = ['openid', 'fhirUser', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access'] as const;
const NON_RESOURCE = new Set<string>(NON_RESOURCE_SCOPES);

/** A scope we can grant at all: an identity, launch or refresh scope, or a v1/v2 resource scope. */
export function isKnownScope(scope: string): boolean {
  return NON_RESOURCE.has(scope) || parseResourceScope(scope) !== undefined;
}

const sameQuery = (a: ResourceScope['query'], b: ResourceScope['query']) =>
  JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

/**
 * Whether the allowed scope `allowed` covers the requested `requested`: the same text, or a
 * resource scope of the same context whose type (or `*`) and actions include the request's, in
 * v1 or v2 syntax. A granular allowed scope (`?category=…`) covers only the same filter.
 */
export function covers(allowed: string, requested: string): boolean {
  if (allowed === requested) return true;
  const a = parseResourceScope(allowed);
  const r = parseResourceScope(requested);
  if (!a || !r || a.context !== r.context) return false;
  if (a.type !== '*' && a.type !== r.type) return false;
  for (const action of r.actions) if (!a.actions.has(action)) return false;
  return a.query === undefined || sameQuery(a.query, r.query);
}

/** The requested scopes the client's registration allows, in the order asked. */
export function allowedScopes(requested: readonly string[], allowed: readonly string[]): string[] {
  return requested.filter((scope) => isKnownScope(scope) && allowed.some((a) => covers(a, scope)));
}

export interface LaunchFacts {
  /** An EHR launch (`launch` parameter). */
  ehrLaunch: boolean;
  patient?: string;
  encounter?: string;
  /** The signed-in user has a FHIR identity (`fhirUser`). */
  hasFhirUser: boolean;
}

/**
 * For an app a user authorizes: no system/ scopes; patient/ and `launch/patient` only with a
 * patient context; `launch` only in an EHR launch; `launch/encounter` only with an encounter;
 * `fhirUser` only when the user has a FHIR identity.
 */
export function userScopes(scopes: readonly string[], facts: LaunchFacts): string[] {
  return scopes.filter((scope) => {
    const resource = parseResourceScope(scope);
    if (resource) return resource.context === 'system' ? false : resource.context === 'patient' ? facts.patient !== undefined : true;
    if (scope === 'launch') return facts.ehrLaunch;
    if (scope === 'launch/patient') return facts.patient !== undefined;
    if (scope === 'launch/encounter') return facts.encounter !== undefined;
    if (scope === 'fhirUser') return facts.hasFhirUser;
    return true;
  });
}

/** For a backend service (client_credentials): only system/ scopes. */
export function systemScopes(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => parseResourceScope(scope)?.context === 'system');
}

export function hasScope(scope: string, wanted: string): boolean {
  return splitScopes(scope).includes(wanted);
}

/** Refresh tokens come with `offline_access` or `online_access`. */
export function wantsRefresh(scopes: readonly string[]): boolean {
  return scopes.includes('offline_access') || scopes.includes('online_access');
}
