/**
 * The trail each lifecycle change leaves: a Provenance (what changed — the exact new version —,
 * which activity, who, why) and, for operations, an AuditEvent. The Auditor only audits
 * interactions that touch patient data (Practitioner and the disciplinary Basic are not), so
 * these operations write theirs explicitly, built by the same toAuditEvent as every other one.
 */
import type { AuditEvent, Provenance } from '@medplum/fhirtypes';
import type { Access } from '../../../auth/access';
import type { AuditRecord } from '../../../audit/audit-event';
import { toAuditEvent } from '../../../audit/audit-event';
import type { FhirRequest } from '../../../fhir/rest/types';
import { REGISTRY_ORGANIZATION_REFERENCE } from '../license';
import type { Agent } from './officer';

const DATA_OPERATION = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';
const PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';

export interface ProvenanceInput {
  /** `Type/id`, and the version the change produced. */
  target: string;
  versionId: number;
  /** The version it replaced, when it is an update. */
  previousVersionId?: number;
  /** The operation code (`suspend-license`) or `license-expiry` for the daily job. */
  activity: string;
  agent: Agent;
  reason?: string;
  recorded: Date;
  /** A suspension's span (start today, end when it was given). */
  period?: { start: string; end?: string };
}

export function lifecycleProvenance(input: ProvenanceInput): Provenance {
  const provenance: Provenance = {
    resourceType: 'Provenance',
    target: [{ reference: `${input.target}/_history/${input.versionId}` }],
    recorded: input.recorded.toISOString(),
    activity: {
      coding: [{ system: DATA_OPERATION, code: input.previousVersionId === undefined ? 'CREATE' : 'UPDATE' }],
      text: input.activity,
    },
    agent: [
      {
        type: { coding: [{ system: PARTICIPANT_TYPE, code: 'author' }] },
        who: input.agent,
        ...(input.agent.reference === REGISTRY_ORGANIZATION_REFERENCE ? {} : { onBehalfOf: { reference: REGISTRY_ORGANIZATION_REFERENCE } }),
      },
    ],
  };
  if (input.period) provenance.occurredPeriod = input.period;
  if (input.reason) provenance.reason = [{ text: input.reason }];
  if (input.previousVersionId !== undefined) {
    provenance.entity = [{ role: 'revision', what: { reference: `${input.target}/_history/${input.previousVersionId}` } }];
  }
  return provenance;
}

export interface AuditInput {
  req: FhirRequest;
  access: Access;
  operation: string;
  action: AuditRecord['action'];
  /** `Type/id` the operation ran on. */
  what: string;
  status: number;
  outcomeText?: string;
  recorded: Date;
}

export function lifecycleAuditEvent(input: AuditInput): AuditEvent {
  const { req } = input;
  const event = toAuditEvent({
    access: input.access,
    interaction: 'operation',
    action: input.action,
    what: input.what,
    type: input.what.split('/')[0],
    query: `/${req.segments.join('/')}`,
    patients: [],
    status: input.status,
    outcomeText: input.outcomeText,
    clientIp: req.clientIp,
    userAgent: req.headers['user-agent'],
    requestId: req.requestId,
    recorded: input.recorded,
  });
  // Which operation, readable without decoding the query.
  event.entity?.[0]?.detail?.push({ type: 'operation', valueString: input.operation });
  return event;
}
