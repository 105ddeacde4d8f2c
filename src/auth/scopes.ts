/**
 * SMART on FHIR scopes (App Launch 2.0, scopes-and-launch-context): v1 `patient/Observation.read`,
 * `user/*.write`, and v2 `patient/Observation.rs`, `user/*.cruds`, granular
 * `patient/Observation.rs?category=laboratory`, for the `patient/`, `user/` and `system/`
 * contexts. Other scopes (`openid`, `fhirUser`, `launch/patient`, `offline_access`…) are kept as
 * they are; they grant no access to resources.
 */

/** create, read, update, delete, search (v2 letters). */
export type ScopeAction = 'c' | 'r' | 'u' | 'd' | 's';
export type ScopeContext = 'patient' | 'user' | 'system';

export interface ResourceScope {
  context: ScopeContext;
  /** A resource type, or `*`. */
  type: string;
  actions: ReadonlySet<ScopeAction>;
  /** v2 granular scopes: search parameters the resource must match (`category=laboratory`). */
  query?: ReadonlyArray<[string, string]>;
  /** The scope as written. */
  text: string;
}

const V2_ACTIONS = /^c?r?u?d?s?$/;
const V1_ACTIONS: Record<string, ScopeAction[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const SCOPE = /^(patient|user|system)\/([A-Za-z]+|\*)\.([a-z*]+)(\?.*)?$/;

/** One resource scope, or undefined when `text` is not one (an identity or launch scope). */
export function parseResourceScope(text: string): ResourceScope | undefined {
  const match = SCOPE.exec(text);
  if (!match) return undefined;
  const [, context, type, actionText, queryText] = match as unknown as [string, ScopeContext, string, string, string | undefined];
  let actions: ScopeAction[];
  if (V1_ACTIONS[actionText]) {
    if (queryText) return undefined; // granular filters exist only in v2
    actions = V1_ACTIONS[actionText];
  } else if (actionText !== '' && V2_ACTIONS.test(actionText)) {
    actions = [...actionText] as ScopeAction[];
  } else {
    return undefined;
  }
  const scope: ResourceScope = { context, type, actions: new Set(actions), text };
  if (queryText) {
    const query = [...new URLSearchParams(queryText.slice(1))];
    if (query.length === 0) return undefined;
    scope.query = query;
  }
  return scope;
}

/** A space-separated scope string → its parts (duplicates and empty parts dropped). */
export function splitScopes(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter(Boolean))];
}

/** The resource scopes among `scopes`. */
export function resourceScopes(scopes: readonly string[]): ResourceScope[] {
  return scopes.flatMap((s) => parseResourceScope(s) ?? []);
}

/** Whether `scope` covers `action` on `type` (ignoring its granular query, checked by the caller). */
export function scopeAllows(scope: ResourceScope, type: string, action: ScopeAction): boolean {
  return (scope.type === '*' || scope.type === type) && scope.actions.has(action);
}
