/**
 * Who may run the lifecycle operations: registry officers (role registry-admin) and admins,
 * signed in as themselves; backend clients and every other role get 403 whatever their scopes.
 * Anonymous callers never get here (the dispatcher answers 401). With authentication off
 * (development), anyone may.
 */
import type { ProvenanceAgent } from '@medplum/fhirtypes';
import type { Access } from '../../../auth/access';
import { forbidden } from '../../../fhir/access-guard';
import { REGISTRY_ORGANIZATION_REFERENCE } from '../license';

const OFFICER_ROLES = new Set(['registry-admin', 'admin']);

export function assertOfficer(access: Access | undefined, operation: string): void {
  if (!access || access.mode === 'open') return;
  if (access.mode !== 'token' || access.auth.kind !== 'user' || !OFFICER_ROLES.has(access.auth.role ?? '')) {
    throw forbidden(`$${operation} is for registry officers (role registry-admin or admin)`);
  }
}

/** The officer as a Provenance agent: their FHIR identity, else their account. */
export type Agent = ProvenanceAgent['who'];

export function officerReference(access: Access | undefined): Agent {
  if (access?.mode === 'token') {
    const auth = access.auth;
    if (auth.fhirUser) return { reference: auth.fhirUser };
    return { identifier: { system: 'urn:baobab:account', value: auth.subject }, display: `account ${auth.subject} (${auth.role ?? auth.kind})` };
  }
  // Authentication off: the registry itself is the only accountable party.
  return { reference: REGISTRY_ORGANIZATION_REFERENCE, display: 'unauthenticated (authentication off)' };
}
