/**
 * Applies the access policy (auth/access-policy.ts) to data: refuses what the caller may not do
 * (403), turns the limits of an allowance into search criteria (a search simply narrows), and
 * checks single resources against them (reads, writes, included resources). ResourceService
 * calls it on every path, with the caller taken from the request (auth/request-access.ts).
 */
import type { CompartmentDefinition, Resource } from '@medplum/fhirtypes';
import type { Decision, Limit } from '../auth/access-policy';
import { decide } from '../auth/access-policy';
import { currentAccess, requestMemo } from '../auth/request-access';
import type { TouchedResource } from '../auth/request-access';
import type { RoleRule, WriteState } from '../auth/role-permissions';
import { roleRules } from '../auth/role-permissions';
import type { ScopeAction } from '../auth/scopes';
import type { Criterion } from '../store/search-criteria';
import type { ReferenceEntry } from './search/extract/types';
import { FhirError, issue } from './outcomes';
import { LICENSE_NUMBER_SYSTEM, REGISTRY_TASK_SYSTEM } from '../domain/licensing/license';

/** The most patients a clinician's searches are narrowed to (one criterion value each). */
export const MAX_ASSIGNED_PATIENTS = 2000;

/** The raw store queries the guard needs (no access checks of their own). */
export interface GuardSource {
  matchIds(type: string, criteria: Criterion[], limit: number): Promise<string[]>;
  matchReferences(type: string, criteria: Criterion[], p: string, limit: number): Promise<string[]>;
}

export interface GuardOptions {
  compartments: readonly CompartmentDefinition[];
  /** The reference entries of a resource's search index (for in-memory checks). */
  references(resource: Resource): ReferenceEntry[];
  /** Criteria of a granular scope's query on `type` (plain parameters only). */
  parseQuery(type: string, query: ReadonlyArray<[string, string]>): Criterion[];
}

export function forbidden(reason: string): FhirError {
  return new FhirError([issue('forbidden', `Access denied: ${reason}`)], 403);
}

const NOTHING: Criterion = { index: 'id', ids: [] };

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The Practitioner each type belongs to, for the `self` limit (an applicant's records). */
const SELF_LINKS: Record<string, { owns: (r: Loose, practitioner: string) => boolean; param?: string }> = {
  Practitioner: { owns: (r, p) => r.id !== undefined && `Practitioner/${r.id}` === p },
  // A Task `for` someone else (a patient) is not the applicant's own, whatever its focus.
  Task: { owns: (r, p) => r.focus?.reference === p && (r.for === undefined || r.for?.reference === p), param: 'focus' },
  DocumentReference: { owns: (r, p) => r.subject?.reference === p, param: 'subject' },
  Binary: { owns: (r, p) => r.securityContext?.reference === p },
  // Notices (the registry's license notices): those addressed to the Practitioner.
  Communication: { owns: (r, p) => addressees(r).includes(p), param: 'recipient' },
};

/** Who a Communication is addressed to (`recipient` references). */
function addressees(r: Loose): string[] {
  return Array.isArray(r.recipient) ? r.recipient.map((x: Loose) => x?.reference).filter((x: unknown): x is string => typeof x === 'string') : [];
}

/** Types a clinician also reaches when addressed to them, besides their patients' data. */
const ADDRESSED_TYPES = new Set(['Communication']);

const isLicenseApplication = (r: Loose) =>
  Array.isArray(r.code?.coding) && r.code.coding.some((c: Loose) => c?.system === REGISTRY_TASK_SYSTEM && c?.code === 'license-application');

/** Whether a written resource is in the state a WriteState asks for (other types always are). */
function meetsWriteState(type: string, r: Loose, state: WriteState): boolean {
  if (state === 'application-draft') return type !== 'Task' || r.status === 'draft';
  if (state === 'application-not-draft') return type !== 'Task' || !isLicenseApplication(r) || r.status !== 'draft';
  const licensed = Array.isArray(r.qualification) && r.qualification.some((q: Loose) => Array.isArray(q?.identifier) && q.identifier.some((i: Loose) => i?.system === LICENSE_NUMBER_SYSTEM));
  return type !== 'Practitioner' || (r.active !== true && !licensed);
}

export class AccessGuard {
  /** Per type in the Patient compartment: the reference parameters that place it there. */
  private readonly patientParams = new Map<string, string[]>();
  private readonly rules: Readonly<Record<string, readonly RoleRule[]>>;

  constructor(
    private readonly source: GuardSource,
    private readonly options: GuardOptions,
  ) {
    const patient = options.compartments.find((c) => c.code === 'Patient');
    for (const entry of patient?.resource ?? []) if (entry.param?.length) this.patientParams.set(entry.code, entry.param);
    this.patientParams.set('Patient', []);
    this.rules = roleRules(new Set(this.patientParams.keys()));
  }

  /** Whether `type` holds patient data (the Patient compartment, Patient included). */
  isPatientData(type: string): boolean {
    return this.patientParams.has(type);
  }

  /**
   * The ids of the patients a resource concerns (its Patient compartment references, or itself:
   * then its id is enough, and a resource read from stored text is not parsed for it).
   */
  patientsOf(touched: TouchedResource): string[] {
    const { type } = touched;
    if (type === 'Patient') {
      const id = touched.id ?? touched.resource.id;
      return id ? [id] : [];
    }
    const params = this.patientParams.get(type);
    if (!params) return [];
    const ids = this.options.references(touched.resource).flatMap((e) => (params.includes(e.p) && e.r.startsWith('Patient/') ? [e.r.slice('Patient/'.length)] : []));
    return [...new Set(ids)];
  }

  /** Whether requests are checked at all (not when authentication is off, nor for the server's own work). */
  get active(): boolean {
    const access = currentAccess();
    return access !== undefined && access.mode !== 'open';
  }

  decision(type: string, action: ScopeAction): Decision {
    return decide(currentAccess(), type, action, this.patientParams.has(type), this.rules);
  }

  /** The allowance for `action` on `type`, or 403. */
  require(type: string, action: ScopeAction): Extract<Decision, { allowed: true }> {
    const decision = this.decision(type, action);
    if (!decision.allowed) throw forbidden(decision.reason);
    return decision;
  }

  /** Like require(), but the allowance must have no limits (history across resources, $reindex, $meta). */
  requireUnlimited(type: string, action: ScopeAction, what: string): void {
    const decision = this.require(type, action);
    if (decision.limits.length > 0) throw forbidden(`${what} needs access to every ${type}, not only some`);
  }

  /** Search criteria that hold exactly for the resources the limits allow. */
  async criteria(type: string, decision: Extract<Decision, { allowed: true }>): Promise<Criterion[]> {
    const criteria: Criterion[] = [];
    for (const limit of decision.limits) criteria.push(...(await this.limitCriteria(type, limit)));
    return criteria;
  }

  /** Whether a resource meets every limit (`stored`: it exists under its id, so queries can check it). */
  async permits(type: string, resource: Resource, decision: Extract<Decision, { allowed: true }>, stored: boolean): Promise<boolean> {
    for (const limit of decision.limits) {
      if (limit.kind === 'query') {
        if (!stored || !resource.id) return false;
        const criteria: Criterion[] = [...(await this.limitCriteria(type, limit)), { index: 'id', ids: [resource.id] }];
        if ((await this.source.matchIds(type, criteria, 1)).length === 0) return false;
      } else if (limit.kind === 'self') {
        if (!SELF_LINKS[type]?.owns(resource as Loose, limit.practitioner)) return false;
      } else if (limit.kind === 'state') {
        if (!meetsWriteState(type, resource as Loose, limit.state)) return false;
      } else if (limit.kind === 'patients' && limit.addressee && ADDRESSED_TYPES.has(type) && addressees(resource as Loose).includes(limit.addressee)) {
        continue;
      } else if (!this.meetsPatientLimit(type, resource, limit.kind === 'not-patient' ? 'none' : await this.patientIds(limit.patients))) {
        return false;
      }
    }
    return true;
  }

  /** 403 unless the resource meets the limits. */
  async assertPermits(type: string, resource: Resource, decision: Extract<Decision, { allowed: true }>, stored: boolean): Promise<void> {
    if (decision.limits.length === 0) return;
    if (!(await this.permits(type, resource, decision, stored))) {
      throw forbidden(`${type}/${resource.id ?? '(new)'} concerns a patient or data outside what this caller may reach`);
    }
  }

  private meetsPatientLimit(type: string, resource: Resource, patients: ReadonlySet<string> | 'none'): boolean {
    if (type === 'Patient') return patients !== 'none' && resource.id !== undefined && patients.has(resource.id);
    const params = this.patientParams.get(type);
    if (!params) return true;
    const refs = this.options.references(resource).filter((e) => params.includes(e.p) && e.r.startsWith('Patient/'));
    if (patients === 'none') return refs.length === 0;
    return refs.some((e) => patients.has(e.r.slice('Patient/'.length)));
  }

  /** Criteria (ANDed) that hold exactly for the resources meeting `limit`. */
  private async limitCriteria(type: string, limit: Limit): Promise<Criterion[]> {
    if (limit.kind === 'query') {
      const groups = limit.queries.map((q) => this.options.parseQuery(type, q));
      if (groups.length === 1) return groups[0]!;
      if (groups.every((g) => g.length === 1)) return [{ index: 'any', of: groups.map((g) => g[0]!) }];
      throw forbidden('several granular scopes with more than one parameter each cannot be combined');
    }
    if (limit.kind === 'state') return []; // a condition on writes, not on what is found
    if (limit.kind === 'self') {
      if (type === 'Practitioner') return [{ index: 'id', ids: [limit.practitioner.slice('Practitioner/'.length)] }];
      const param = SELF_LINKS[type]?.param;
      return param ? [{ index: 'ref', p: param, values: [{ r: limit.practitioner }] }] : [NOTHING];
    }
    if (type === 'Patient' && limit.kind === 'not-patient') return [NOTHING];
    const params = this.patientParams.get(type);
    if (!params) return []; // not in the Patient compartment: nothing to limit by
    if (limit.kind === 'not-patient') return [{ index: 'any', not: true, of: params.map((p) => ({ index: 'ref', p, values: [{ ty: 'Patient' }] })) }];
    const ids = [...(await this.patientIds(limit.patients))];
    const addressed: Criterion[] = limit.addressee && ADDRESSED_TYPES.has(type) ? [{ index: 'ref', p: 'recipient', values: [{ r: limit.addressee }] }] : [];
    if (ids.length === 0) return addressed.length > 0 ? addressed : [NOTHING];
    if (type === 'Patient') return [{ index: 'id', ids }];
    const values = ids.map((id) => ({ r: `Patient/${id}` }));
    return [{ index: 'any', of: [...params.map((p): Criterion => ({ index: 'ref', p, values })), ...addressed] }];
  }

  /** Explicit ids, or the patients the calling practitioner is assigned to (memoised per request). */
  private async patientIds(patients: 'assigned' | string[]): Promise<ReadonlySet<string>> {
    if (patients !== 'assigned') return new Set(patients);
    const access = currentAccess();
    const fhirUser = access?.mode === 'token' ? access.auth.fhirUser : undefined;
    if (!fhirUser?.startsWith('Practitioner/')) return new Set();
    return requestMemo(`assigned:${fhirUser}`, () => this.assignedPatients(fhirUser));
  }

  /** `Patient.generalPractitioner`, and the subjects of CareTeams the practitioner participates in. */
  private async assignedPatients(practitioner: string): Promise<ReadonlySet<string>> {
    const refersTo = (p: string): Criterion => ({ index: 'ref', p, values: [{ r: practitioner }] });
    const [direct, teams] = await Promise.all([
      this.source.matchIds('Patient', [refersTo('general-practitioner')], MAX_ASSIGNED_PATIENTS + 1),
      this.source.matchReferences('CareTeam', [refersTo('participant')], 'patient', MAX_ASSIGNED_PATIENTS + 1),
    ]);
    const ids = new Set(direct);
    for (const ref of teams) if (ref.startsWith('Patient/')) ids.add(ref.slice('Patient/'.length));
    if (ids.size > MAX_ASSIGNED_PATIENTS) throw forbidden(`more than ${MAX_ASSIGNED_PATIENTS} assigned patients; ask an admin to narrow the assignment`);
    return ids;
  }
}
