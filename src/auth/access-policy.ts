/**
 * The effective permission of a caller for one action on one resource type: the role's rule
 * (role-permissions.ts) intersected with the token's scopes. The answer is a refusal, or an
 * allowance with the limits a resource must meet (whose patient it concerns, a granular scope's
 * search). Pure: the FHIR layer turns limits into search criteria and resource checks.
 */
import type { Access } from './access';
import type { AuthContext } from './auth-context';
import type { Reach, RoleRule, WriteState } from './role-permissions';
import { ANONYMOUS_READABLE, WRITE_STATE_TYPE } from './role-permissions';
import type { ResourceScope, ScopeAction } from './scopes';

/** Every limit must hold (AND). */
export type Limit =
  /**
   * In the Patient compartment of one of these patients (ids), or of the caller's assigned
   * patients; or addressed to `addressee` (a notice to a clinician, Communication.recipient).
   */
  | { kind: 'patients'; patients: 'assigned' | string[]; addressee?: string }
  /** In no patient's compartment. */
  | { kind: 'not-patient' }
  /** Matches one of these searches (granular v2 scopes); each is `name=value` pairs, ANDed. */
  | { kind: 'query'; queries: Array<ReadonlyArray<[string, string]>> }
  /** Belongs to this Practitioner (reference `Practitioner/<id>`): an applicant's own records. */
  | { kind: 'self'; practitioner: string }
  /** What is written must be in this state (role-permissions.ts WriteState). */
  | { kind: 'state'; state: WriteState };

export type Decision = { allowed: false; reason: string } | { allowed: true; limits: Limit[] };

const ALLOWED: Decision = Object.freeze({ allowed: true, limits: [] });

function ownPatient(auth: AuthContext): string | undefined {
  if (auth.fhirUser?.startsWith('Patient/')) return auth.fhirUser.slice('Patient/'.length);
  return undefined;
}

function reachLimit(reach: Reach, auth: AuthContext): Limit | undefined | 'deny' {
  switch (reach) {
    case 'self':
      return auth.fhirUser?.startsWith('Practitioner/') ? { kind: 'self', practitioner: auth.fhirUser } : 'deny';
    case 'all':
      return undefined;
    case 'not-patient':
      return { kind: 'not-patient' };
    case 'assigned':
      return { kind: 'patients', patients: 'assigned', ...(auth.fhirUser?.startsWith('Practitioner/') ? { addressee: auth.fhirUser } : {}) };
    case 'own': {
      const own = ownPatient(auth);
      return own ? { kind: 'patients', patients: [own] } : 'deny';
    }
  }
}

const REACH_BREADTH: Record<Reach, number> = { all: 3, 'not-patient': 2, assigned: 1, own: 0, self: 0 };

function roleDecision(rules: readonly RoleRule[], auth: AuthContext, type: string, action: ScopeAction, inPatientCompartment: boolean): Decision {
  const matching = rules.filter((r) => (r.types === '*' || r.types.has(type)) && r.actions.has(action));
  if (matching.length === 0) return { allowed: false, reason: `the ${auth.role} role may not ${ACTION_NAMES[action]} ${type} resources` };
  const broadest = matching.reduce((a, b) => (REACH_BREADTH[b.reach] > REACH_BREADTH[a.reach] ? b : a));
  const limits: Limit[] = [];
  // Reach limits patient data only, except `self`, which limits every type it names.
  if (inPatientCompartment || broadest.reach === 'self') {
    const limit = reachLimit(broadest.reach, auth);
    if (limit === 'deny') return { allowed: false, reason: `the account is not linked to a ${broadest.reach === 'self' ? 'Practitioner' : 'Patient'}` };
    if (limit) limits.push(limit);
    // An applicant's records are never about a patient either.
    if (broadest.reach === 'self' && inPatientCompartment) limits.push({ kind: 'not-patient' });
  }
  if (broadest.writeState && WRITE_STATE_TYPE[broadest.writeState] === type && (action === 'c' || action === 'u')) limits.push({ kind: 'state', state: broadest.writeState });
  return limits.length > 0 ? { allowed: true, limits } : ALLOWED;
}

function scopeDecision(auth: AuthContext, type: string, action: ScopeAction, inPatientCompartment: boolean): Decision {
  // system/ scopes belong to backend clients, patient/ and user/ ones to people.
  const contexts = auth.kind === 'client' ? ['system'] : ['patient', 'user'];
  const matching = auth.resourceScopes.filter((s) => contexts.includes(s.context) && (s.type === '*' || s.type === type) && s.actions.has(action));
  if (matching.length === 0) return { allowed: false, reason: `no granted scope allows ${ACTION_NAMES[action]} on ${type}` };
  const broad = matching.filter((s) => !s.query);
  if (broad.some((s) => s.context !== 'patient')) return ALLOWED;
  const patientLimit = (): Limit | 'deny' => (auth.patient ? { kind: 'patients', patients: [auth.patient] } : 'deny');
  if (broad.length > 0) {
    if (!inPatientCompartment) return ALLOWED;
    const limit = patientLimit();
    return limit === 'deny' ? { allowed: false, reason: 'patient/ scopes need a patient in the launch context' } : { allowed: true, limits: [limit] };
  }
  // Only granular scopes: the resource must match one of their searches (read and search only).
  if (action !== 'r' && action !== 's') return { allowed: false, reason: 'granular scopes grant reading and searching only' };
  const limits: Limit[] = [{ kind: 'query', queries: matching.map((s: ResourceScope) => s.query!) }];
  if (matching.some((s) => s.context === 'patient') && inPatientCompartment) {
    const limit = patientLimit();
    if (limit === 'deny') return { allowed: false, reason: 'patient/ scopes need a patient in the launch context' };
    limits.push(limit);
  }
  return { allowed: true, limits };
}

export const ACTION_NAMES: Record<ScopeAction, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

/**
 * May `access` do `action` on `type`? `inPatientCompartment`: whether the type belongs to the R4
 * Patient compartment (only those are limited by patient); `rules`: the role table.
 */
export function decide(
  access: Access | undefined,
  type: string,
  action: ScopeAction,
  inPatientCompartment: boolean,
  rules: Readonly<Record<string, readonly RoleRule[]>>,
): Decision {
  if (!access || access.mode === 'open') return ALLOWED;
  if (access.mode === 'anonymous') {
    return (action === 'r' || action === 's') && ANONYMOUS_READABLE.has(type) ? ALLOWED : { allowed: false, reason: 'authentication required' };
  }
  const auth = access.auth;
  let roleLimits: Limit[] = [];
  if (auth.kind === 'user') {
    const roleRules = auth.role ? rules[auth.role] : undefined;
    if (!roleRules) return { allowed: false, reason: 'the account has no role' };
    const role = roleDecision(roleRules, auth, type, action, inPatientCompartment);
    if (!role.allowed) return role;
    roleLimits = role.limits;
  }
  const scopes = scopeDecision(auth, type, action, inPatientCompartment);
  if (!scopes.allowed) return scopes;
  const limits = [...roleLimits, ...scopes.limits];
  return limits.length > 0 ? { allowed: true, limits } : ALLOWED;
}
