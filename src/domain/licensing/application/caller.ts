/**
 * Who invokes a workflow operation. The operations check roles themselves and then write as the
 * server (asSystem), because they make changes the callers may not make by PUT/PATCH (an
 * applicant never moves its Task past draft; an officer never edits a draft).
 */
import type { Practitioner, Reference } from '@medplum/fhirtypes';
import { currentAccess } from '../../../auth/request-access';
import { forbidden } from '../../../fhir/access-guard';

export type Caller =
  /** Authentication off, or the server's own work: trusted. */
  | { kind: 'trusted' }
  /** A registry officer: role registry-admin or admin. */
  | { kind: 'officer'; subject: string; fhirUser?: string }
  | { kind: 'applicant'; practitioner: string }
  | { kind: 'other' };

export function currentCaller(): Caller {
  const access = currentAccess();
  if (!access || access.mode === 'open') return { kind: 'trusted' };
  if (access.mode !== 'token' || access.auth.kind !== 'user') return { kind: 'other' };
  const { role, subject, fhirUser } = access.auth;
  if (role === 'registry-admin' || role === 'admin') return { kind: 'officer', subject, ...(fhirUser ? { fhirUser } : {}) };
  if (role === 'applicant' && fhirUser?.startsWith('Practitioner/')) return { kind: 'applicant', practitioner: fhirUser };
  return { kind: 'other' };
}

/** 403 unless a registry officer (or trusted) calls `$operation`. */
export function requireOfficer(operation: string): Caller {
  const caller = currentCaller();
  if (caller.kind !== 'officer' && caller.kind !== 'trusted') throw forbidden(`$${operation} is for registry officers (registry-admin)`);
  return caller;
}

/** The officer as a Reference (its Practitioner when linked, else its account id). */
export function officerReference(caller: Caller): Reference<Practitioner> | undefined {
  if (caller.kind !== 'officer') return undefined;
  if (caller.fhirUser) return { reference: caller.fhirUser };
  return { identifier: { system: 'https://baobab.health/fhir/sid/account', value: caller.subject }, display: 'registry officer' };
}
