/**
 * Audit completeness (issue 5 §5): after a scripted session of reads, searches, writes and
 * refused attempts, exactly the expected AuditEvents exist, each saying who, what, which
 * patient, the action and the outcome; interactions without patient data leave none.
 */
import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const ref = (reference: string) => ({ reference });

function token(role: 'admin' | 'patient' | 'doctor', fhirUser?: string, patient?: string): string {
  const scope = role === 'patient' ? 'patient/*.rs patient/Communication.cu' : 'user/*.cruds';
  return server.container.auth.tokens.issue({ subject: `${role}-account`, kind: 'user', role, clientId: 'audit-test', scope, fhirUser, patient }).accessToken;
}

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true });
  const put = (r: Resource & { id: string }) => server.container.fhir.service.update(r.resourceType, r.id, r);
  await put({ resourceType: 'Patient', id: 'p1', name: [{ family: 'One' }] });
  await put({ resourceType: 'Patient', id: 'p2', name: [{ family: 'Two' }] });
  await put({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'a' }, subject: ref('Patient/p1') });
  await put({ resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'b' }, subject: ref('Patient/p2') });
});
afterAll(async () => {
  await server?.close();
});

async function auditEvents(): Promise<AuditEvent[]> {
  await server.container.fhir.auditor!.flush();
  const events = (await server.container.fhir.service.search('AuditEvent', { criteria: [], sort: [{ key: '_lastUpdated', descending: false }], count: 1000, total: false })).versions;
  return events.map((v) => v.resource as AuditEvent).sort((a, b) => a.recorded.localeCompare(b.recorded));
}

const summary = (e: AuditEvent) => ({
  interaction: e.subtype?.[0]?.code,
  action: e.action,
  outcome: e.outcome,
  what: e.entity?.[0]?.what?.reference ?? e.entity?.[0]?.name ?? /^\/(\w+)/.exec(Buffer.from(e.entity?.[0]?.query ?? '', 'base64').toString())?.[1],
  patients: (e.entity ?? []).filter((x) => x.role?.code === '1').map((x) => x.what?.reference).sort(),
  who: e.agent[0]!.who?.reference ?? e.agent[0]!.who?.display,
});

describe('AuditEvents', () => {
  it('one per interaction with patient data: who, what, patient, action, outcome', async () => {
    const patient = token('patient', 'Patient/p1', 'p1');
    const as = (t: string) => (path: string) => server.request.get(`/fhir/${path}`).set('Authorization', `Bearer ${t}`).set('User-Agent', 'audit-test-agent');
    expect((await as(patient)('Patient/p1')).status).toBe(200);
    expect((await as(patient)('Observation/o1')).status).toBe(200);
    expect((await as(patient)('Observation?code:text=a')).status).toBe(200);
    expect((await as(patient)('Observation/o2')).status).toBe(403);
    const created = await server.request
      .post('/fhir/Communication')
      .set('Authorization', `Bearer ${patient}`)
      .set('Content-Type', FHIR_JSON)
      .send({ resourceType: 'Communication', status: 'completed', subject: ref('Patient/p1') });
    expect(created.status).toBe(201);
    expect((await server.request.get('/fhir/Observation')).status).toBe(401);
    // Not patient data: no AuditEvent.
    expect((await as(patient)('Practitioner')).status).toBe(200);
    expect((await server.request.get('/fhir/metadata')).status).toBe(200);

    const events = await auditEvents();
    expect(events.map(summary)).toEqual([
      { interaction: 'read', action: 'R', outcome: '0', what: 'Patient/p1', patients: ['Patient/p1'], who: 'Patient/p1' },
      { interaction: 'read', action: 'R', outcome: '0', what: 'Observation/o1', patients: ['Patient/p1'], who: 'Patient/p1' },
      { interaction: 'search-type', action: 'E', outcome: '0', what: 'Observation', patients: ['Patient/p1'], who: 'Patient/p1' },
      { interaction: 'read', action: 'R', outcome: '4', what: 'Observation/o2', patients: [], who: 'Patient/p1' },
      { interaction: 'create', action: 'C', outcome: '0', what: 'Communication', patients: ['Patient/p1'], who: 'Patient/p1' },
      { interaction: 'search-type', action: 'E', outcome: '4', what: 'Observation', patients: [], who: 'anonymous' },
    ]);
    const search = events[2]!;
    expect(Buffer.from(search.entity![0]!.query!, 'base64').toString()).toBe('/Observation?code%3Atext=a');
    expect(search.agent[0]!.role?.[0]?.coding?.[0]?.code).toBe('patient');
    expect(search.agent[0]!.network?.address).toMatch(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
    expect(search.entity![0]!.detail!.find((d) => d.type === 'user-agent')?.valueString).toBe('audit-test-agent');
    expect(events[3]!.outcomeDesc).toMatch(/Access denied/);

    // They are stored without validation (the server built them): each must pass it all the same.
    const admin = token('admin');
    for (const event of events) {
      const validated = await server.request.post('/fhir/AuditEvent/$validate').set('Authorization', `Bearer ${admin}`).set('Content-Type', FHIR_JSON).send(event);
      expect(validated.status).toBe(200);
      expect(validated.body.issue.filter((i: { severity: string }) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
    }
  });

  it('admins search them; nobody changes them; a Bundle is audited with each of its entries', async () => {
    const admin = token('admin');
    const before = (await auditEvents()).length;
    const batch = await server.request
      .post('/fhir')
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', FHIR_JSON)
      .send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patient/p2' } }, { request: { method: 'GET', url: 'Observation?subject=Patient/p2' } }] });
    expect(batch.status).toBe(200);
    const events = (await auditEvents()).slice(before);
    expect(events.map((e) => e.subtype?.[0]?.code).sort()).toEqual(['batch', 'read', 'search-type']);
    const found = await server.request.get('/fhir/AuditEvent?patient=Patient/p2').set('Authorization', `Bearer ${admin}`);
    expect(found.status).toBe(200);
    expect(found.body.entry.length).toBeGreaterThanOrEqual(2);
    const doctor = token('doctor', 'Practitioner/x');
    expect((await server.request.get('/fhir/AuditEvent').set('Authorization', `Bearer ${doctor}`)).status).toBe(403);
    const one = found.body.entry[0].resource as AuditEvent;
    expect((await server.request.delete(`/fhir/AuditEvent/${one.id}`).set('Authorization', `Bearer ${admin}`)).status).toBe(405);
  });
});

describe('forged AuditEvents', () => {
  it('cannot be created through the API, even by an admin, by any route; the CapabilityStatement says so', async () => {
    const admin = token('admin');
    const send = (req: ReturnType<typeof server.request.post>) => req.set('Authorization', `Bearer ${admin}`).set('Content-Type', FHIR_JSON);
    const forged: AuditEvent = {
      resourceType: 'AuditEvent',
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
      recorded: '2026-01-01T00:00:00Z',
      agent: [{ who: { reference: 'Practitioner/someone-else' }, requestor: true }],
      source: { observer: { display: 'forger' } },
    };
    const before = (await auditEvents()).length;
    const created = await send(server.request.post('/fhir/AuditEvent')).send(forged);
    expect(created.status).toBe(405);
    expect(created.body.issue[0].diagnostics).toMatch(/recorded by the server/);
    expect((await send(server.request.put('/fhir/AuditEvent/forged-1')).send({ ...forged, id: 'forged-1' })).status).toBe(405);
    const conditional = await send(server.request.post('/fhir/AuditEvent')).set('If-None-Exist', 'agent=Practitioner/someone-else').send(forged);
    expect(conditional.status).toBe(405);
    const transaction = await send(server.request.post('/fhir')).send({ resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: 'urn:uuid:7f1b1a8e-0000-4000-8000-000000000001', resource: forged, request: { method: 'POST', url: 'AuditEvent' } }] });
    expect(transaction.status).toBe(405);
    const batch = await send(server.request.post('/fhir')).send({ resourceType: 'Bundle', type: 'batch', entry: [{ resource: forged, request: { method: 'POST', url: 'AuditEvent' } }] });
    expect(batch.body.entry[0].response.status).toMatch(/^405/);
    // Only the server's own records of these refused attempts were added.
    const added = (await auditEvents()).slice(before);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((e) => e.source.observer?.display !== 'forger')).toBe(true);
    const capabilities = await server.request.get('/fhir/metadata');
    const entry = capabilities.body.rest[0].resource.find((r: { type: string }) => r.type === 'AuditEvent');
    expect(entry.interaction.map((i: { code: string }) => i.code).sort()).toEqual(['history-instance', 'history-type', 'read', 'search-type', 'vread']);
    expect(entry.conditionalDelete).toBe('not-supported');
  });
});

describe('behind a proxy', () => {
  it('records the client address from X-Forwarded-For only when TRUST_PROXY says so', async () => {
    const proxied = await startTestServer({ authEnabled: true, trustProxy: 'loopback' });
    try {
      const admin = proxied.container.auth.tokens.issue({ subject: 'a', kind: 'user', role: 'admin', clientId: 't', scope: 'user/*.cruds' }).accessToken;
      await proxied.container.fhir.service.update('Patient', 'px', { resourceType: 'Patient', id: 'px' });
      expect((await proxied.request.get('/fhir/Patient/px').set('Authorization', `Bearer ${admin}`).set('X-Forwarded-For', '203.0.113.7')).status).toBe(200);
      await proxied.container.fhir.auditor!.flush();
      const page = await proxied.container.fhir.service.search('AuditEvent', { criteria: [], sort: [], count: 10, total: false });
      expect((page.versions[0]!.resource as AuditEvent).agent[0]!.network?.address).toBe('203.0.113.7');
    } finally {
      await proxied.close();
    }
  });
});
