/**
 * Decides which interactions are audited and what their AuditEvent says (issue 5 §5): every
 * interaction that touches patient data, allowed or refused, including searches; batch and
 * transaction Bundles as a whole besides each of their entries. Reading a ValueSet or the
 * CapabilityStatement is not patient data and is not audited.
 */
import type { TouchedResource } from '../auth/request-access';
import type { FhirRequest } from '../fhir/rest/types';
import type { AuditRecord } from './audit-event';
import type { AuditLog } from './audit-log';

export interface PatientData {
  isPatientData(type: string): boolean;
  patientsOf(touched: TouchedResource): string[];
}

const ACTIONS: Record<string, AuditRecord['action']> = {
  read: 'R', vread: 'R', 'history-instance': 'R', 'history-type': 'R', 'history-system': 'R',
  'search-type': 'E', 'search-system': 'E', 'search-compartment': 'E', operation: 'E', batch: 'E', transaction: 'E',
  create: 'C', update: 'U', patch: 'U', 'conditional-update': 'U', 'conditional-patch': 'U', delete: 'D', 'conditional-delete': 'D',
};

/** Routes that may reach any type's data, so they are always audited. */
const ACROSS_TYPES = new Set(['search-system', 'history-system', 'batch', 'transaction']);

const MAX_PATIENTS = 50;
/** POST [base] serves both; the Bundle's type usually comes first in its JSON. */
const TRANSACTION = /"type"\s*:\s*"transaction"/;

export interface AuditedInteraction {
  interaction: string;
  params: Record<string, string>;
  status: number;
  outcomeText?: string;
  touched: readonly TouchedResource[];
}

export class Auditor {
  constructor(
    private readonly log: AuditLog,
    private readonly data: PatientData,
  ) {}

  /** Records the interaction's AuditEvent; resolves once it is journaled (see AuditLog.record). */
  record(req: FhirRequest, done: AuditedInteraction): Promise<void> {
    const action = ACTIONS[done.interaction];
    if (!action) return Promise.resolve();
    const { params, touched } = done;
    const type = params.target ?? params.type;
    const concernsPatients = ACROSS_TYPES.has(done.interaction) || (type !== undefined && this.data.isPatientData(type)) || touched.some((t) => this.data.isPatientData(t.type));
    if (!concernsPatients) return Promise.resolve();
    const patients = new Set<string>();
    if (params.type === 'Patient' && params.id) patients.add(params.id);
    for (const t of touched) {
      if (patients.size >= MAX_PATIENTS) break;
      for (const id of this.data.patientsOf(t)) patients.add(id);
    }
    const searching = action === 'E' && done.interaction !== 'operation';
    return this.log.record({
      access: req.access,
      interaction: done.interaction === 'batch' && TRANSACTION.test(req.body?.subarray(0, 4096).toString('utf8') ?? '') ? 'transaction' : done.interaction,
      action,
      what: params.type && params.id ? `${params.type}/${params.id}` : undefined,
      type,
      query: searching || done.interaction === 'operation' ? queryString(req) : undefined,
      patients: [...patients].slice(0, MAX_PATIENTS),
      status: done.status,
      outcomeText: done.outcomeText,
      clientIp: req.clientIp,
      userAgent: req.headers['user-agent'],
      requestId: req.requestId,
      recorded: new Date(),
    });
  }

  /** Stores the AuditEvents a process that died left in the journal; returns how many. */
  recover(): Promise<number> {
    return this.log.recover();
  }

  /** Stores what is buffered now. */
  flush(): Promise<void> {
    return this.log.flush();
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

function queryString(req: FhirRequest): string {
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(req.query)) for (const value of values) params.append(name, value);
  const path = `/${req.segments.join('/')}`;
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
