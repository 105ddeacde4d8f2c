/**
 * One interaction as an R4 AuditEvent (the RESTful profile of audit-event-type `rest`): who
 * (user or client, role, network address), what (a resource, or a search's query), which
 * patients it concerned, the action (C/R/U/D/E) and the outcome (0 success, 4 refused or invalid,
 * 8 server failure).
 */
import type { AuditEvent, AuditEventAgent, AuditEventEntity } from '@medplum/fhirtypes';
import type { Access } from '../auth/access';

export interface AuditRecord {
  access: Access;
  /** restful-interaction code: read, vread, search-type, create, update… or `operation`. */
  interaction: string;
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  /** `Type/id` of the resource acted on, when there is one. */
  what?: string;
  /** The resource type searched or acted on. */
  type?: string;
  /** The query string of a search or operation (as sent). */
  query?: string;
  /** Ids of the patients concerned. */
  patients: string[];
  status: number;
  /** Why it failed, when it did. */
  outcomeText?: string;
  clientIp?: string;
  userAgent?: string;
  requestId: string;
  recorded: Date;
}

// Codes without displays: one is written per access, so every byte is stored (and indexed) many times.
const REST = { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' };
const INTERACTION_SYSTEM = 'http://hl7.org/fhir/restful-interaction';
const OBJECT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

function outcome(status: number): '0' | '4' | '8' {
  if (status < 400) return '0';
  return status < 500 ? '4' : '8';
}

function requestor(record: AuditRecord): AuditEventAgent {
  const agent: AuditEventAgent = { requestor: true };
  const access = record.access;
  if (access.mode === 'token') {
    const auth = access.auth;
    agent.who = auth.fhirUser ? { reference: auth.fhirUser } : { identifier: { system: 'urn:baobab:client', value: auth.clientId } };
    agent.altId = auth.subject;
    if (auth.role) agent.role = [{ coding: [{ system: 'urn:baobab:role', code: auth.role }] }];
    agent.policy = [`urn:baobab:token:${auth.tokenId}`];
  } else {
    agent.who = { display: access.mode === 'anonymous' ? 'anonymous' : 'unauthenticated (authentication off)' };
  }
  if (record.clientIp) agent.network = { address: record.clientIp, type: '2' };
  return agent;
}

export function toAuditEvent(record: AuditRecord): AuditEvent {
  const agents: AuditEventAgent[] = [requestor(record)];
  if (record.access.mode === 'token' && record.access.auth.kind === 'user') {
    agents.push({ requestor: false, who: { identifier: { system: 'urn:baobab:client', value: record.access.auth.clientId } }, type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110150' }] } });
  }
  const entities: AuditEventEntity[] = [];
  const detail = [{ type: 'request-id', valueString: record.requestId }];
  if (record.userAgent) detail.push({ type: 'user-agent', valueString: record.userAgent.slice(0, 500) });
  const main: AuditEventEntity = { type: { system: OBJECT_TYPE, code: '2' }, detail };
  if (record.what) main.what = { reference: record.what };
  // A name or a query, not both (sev-1): a search's query starts with the type it searched.
  if (record.query !== undefined) main.query = Buffer.from(record.query.slice(0, 4000)).toString('base64');
  else if (!record.what && record.type) main.name = record.type;
  entities.push(main);
  for (const patient of record.patients) {
    const reference = `Patient/${patient}`;
    // Reading a Patient: the resource acted on is the patient; say so on that entity.
    if (record.what === reference) main.role = { system: OBJECT_ROLE, code: '1' };
    else entities.push({ what: { reference }, type: { system: OBJECT_TYPE, code: '1' }, role: { system: OBJECT_ROLE, code: '1' } });
  }
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    type: REST,
    subtype: [{ system: INTERACTION_SYSTEM, code: record.interaction }],
    action: record.action,
    recorded: record.recorded.toISOString(),
    outcome: outcome(record.status),
    agent: agents,
    source: { observer: { display: 'Baobab FHIR server' } },
    entity: entities,
  };
  if (record.outcomeText) event.outcomeDesc = record.outcomeText.slice(0, 500);
  return event;
}
