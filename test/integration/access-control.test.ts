/**
 * Who may do what (issue 5 §3-4): every role × interaction × own / assigned / other patient,
 * asserting allowed or 403 and that searches never return data outside the caller's reach; then
 * the routes that could leak: _include, _revinclude, _has, chains, history, vread, compartment
 * search and bundles; then scopes narrowing roles (SMART patient context, granular v2 scopes,
 * backend clients). Tokens are issued by the server's own AccessTokens, as the login and SMART
 * endpoints do.
 */
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/auth/auth-context';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;

/** Stored directly through the service (the server's own work: no caller to check). */
async function put(resource: Resource & { id: string }): Promise<void> {
  await server.container.fhir.service.update(resource.resourceType, resource.id, resource);
}

const ref = (reference: string) => ({ reference });
const LAB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] };
const VITALS = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] };
const observation = (id: string, patient: string, category = LAB) => ({ resourceType: 'Observation' as const, id, status: 'final' as const, category: [category], code: { text: `obs ${id}` }, subject: ref(`Patient/${patient}`) });

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true });
  await put({ resourceType: 'Practitioner', id: 'drA', name: [{ family: 'Adebayo' }] });
  await put({ resourceType: 'Practitioner', id: 'drB', name: [{ family: 'Botha' }] });
  await put({ resourceType: 'Practitioner', id: 'nurseN', name: [{ family: 'Nkosi' }] });
  await put({ resourceType: 'Patient', id: 'p1', name: [{ family: 'One' }], generalPractitioner: [ref('Practitioner/drA')] });
  await put({ resourceType: 'Patient', id: 'p2', name: [{ family: 'Two' }], generalPractitioner: [ref('Practitioner/drB')] });
  await put({ resourceType: 'Patient', id: 'p3', name: [{ family: 'Three' }] });
  await put({ resourceType: 'CareTeam', id: 'team3', subject: ref('Patient/p3'), participant: [{ member: ref('Practitioner/drA') }, { member: ref('Practitioner/nurseN') }] });
  await put(observation('o1', 'p1'));
  await put(observation('o1v', 'p1', VITALS));
  await put(observation('o2', 'p2'));
  await put(observation('o3', 'p3'));
  await put({ resourceType: 'MedicationRequest', id: 'm1', status: 'active', intent: 'order', medicationCodeableConcept: { text: 'amoxicillin' }, subject: ref('Patient/p1') });
  await put({ resourceType: 'MedicationRequest', id: 'm2', status: 'active', intent: 'order', medicationCodeableConcept: { text: 'ibuprofen' }, subject: ref('Patient/p2') });
  await put({ resourceType: 'Task', id: 't1', status: 'draft', intent: 'order', focus: ref('Practitioner/drA') });
  await put({ resourceType: 'DocumentReference', id: 'docReg', status: 'current', subject: ref('Practitioner/drA'), content: [{ attachment: { title: 'degree' } }] });
  await put({ resourceType: 'DocumentReference', id: 'docP1', status: 'current', subject: ref('Patient/p1'), content: [{ attachment: { title: 'clinic note' } }] });
  await put({ resourceType: 'Binary', id: 'binP1', contentType: 'text/plain', data: 'bm90ZQ==', securityContext: ref('DocumentReference/docP1') });
  await put({ resourceType: 'Binary', id: 'binLoose', contentType: 'text/plain', data: 'bm90ZQ==' });
  await put({ resourceType: 'AuditEvent', id: 'ae1', type: { code: 'rest' }, recorded: '2026-01-01T00:00:00Z', agent: [{ requestor: true }], source: { observer: { display: 'test' } } });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

interface Caller {
  role?: Role;
  fhirUser?: string;
  scope?: string;
  patient?: string;
  kind?: 'user' | 'client';
}

function token(caller: Caller): string {
  return server.container.auth.tokens.issue({
    subject: caller.fhirUser ?? 'client-1',
    kind: caller.kind ?? 'user',
    role: caller.role,
    clientId: 'test',
    scope: caller.scope ?? 'user/*.cruds',
    fhirUser: caller.fhirUser,
    patient: caller.patient,
  }).accessToken;
}

const CALLERS: Record<string, Caller> = {
  admin: { role: 'admin' },
  doctorA: { role: 'doctor', fhirUser: 'Practitioner/drA' },
  nurseN: { role: 'nurse', fhirUser: 'Practitioner/nurseN' },
  pharmacist: { role: 'pharmacist', fhirUser: 'Practitioner/drB' },
  clerk: { role: 'clerk' },
  patient1: { role: 'patient', fhirUser: 'Patient/p1', scope: 'patient/*.rs patient/Communication.cu', patient: 'p1' },
  registry: { role: 'registry-admin' },
};

async function as(caller: string | Caller, method: string, path: string, body?: object) {
  const who = typeof caller === 'string' ? CALLERS[caller]! : caller;
  let req = server.request[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](`/fhir/${path}`).set('Authorization', `Bearer ${token(who)}`);
  if (body) req = req.set('Content-Type', FHIR_JSON).send(body);
  return req;
}

async function ids(caller: string | Caller, query: string): Promise<string[]> {
  const res = await as(caller, 'GET', query);
  expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
  return ((res.body.entry ?? []) as Array<{ resource: Resource }>).map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort();
}

describe('reads by role and patient', () => {
  // [caller, path, status]
  const table: Array<[string, string, number]> = [
    ['admin', 'Observation/o2', 200], ['admin', 'AuditEvent/ae1', 200], ['admin', 'Task/t1', 200],
    ['doctorA', 'Observation/o1', 200], ['doctorA', 'Observation/o3', 200], ['doctorA', 'Observation/o2', 403],
    ['doctorA', 'Patient/p1', 200], ['doctorA', 'Patient/p3', 200], ['doctorA', 'Patient/p2', 403],
    ['doctorA', 'Practitioner/drB', 200], ['doctorA', 'Task/t1', 403], ['doctorA', 'AuditEvent/ae1', 403],
    ['nurseN', 'Observation/o3', 200], ['nurseN', 'Observation/o1', 403], ['nurseN', 'MedicationRequest/m1', 403],
    ['pharmacist', 'MedicationRequest/m1', 200], ['pharmacist', 'MedicationRequest/m2', 200], ['pharmacist', 'Patient/p2', 200],
    ['pharmacist', 'Observation/o1', 403],
    ['clerk', 'Patient/p2', 200], ['clerk', 'Observation/o1', 403], ['clerk', 'MedicationRequest/m1', 403],
    ['patient1', 'Observation/o1', 200], ['patient1', 'Observation/o2', 403], ['patient1', 'Patient/p1', 200], ['patient1', 'Patient/p2', 403],
    ['patient1', 'MedicationRequest/m1', 200], ['patient1', 'Practitioner/drA', 200], ['patient1', 'AuditEvent/ae1', 403],
    ['registry', 'Task/t1', 200], ['registry', 'DocumentReference/docReg', 200], ['registry', 'DocumentReference/docP1', 403],
    ['registry', 'Patient/p1', 403], ['registry', 'Observation/o1', 403],
    // A Binary follows its securityContext: readable by whoever may read that resource.
    ['doctorA', 'Binary/binP1', 200], ['patient1', 'Binary/binP1', 200], ['nurseN', 'Binary/binP1', 403], ['doctorA', 'Binary/binLoose', 403],
  ];
  for (const [caller, path, status] of table) {
    it(`${caller} GET ${path} → ${status}`, async () => {
      const res = await as(caller, 'GET', path);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      if (status === 403) {
        expect(res.body.resourceType).toBe('OperationOutcome');
        expect(res.body.issue[0].code).toBe('forbidden');
      }
    });
  }
});

describe('searches narrow to what the caller may see', () => {
  const table: Array<[string, string, string[] | 403]> = [
    ['admin', 'Observation', ['Observation/o1', 'Observation/o1v', 'Observation/o2', 'Observation/o3']],
    ['doctorA', 'Observation', ['Observation/o1', 'Observation/o1v', 'Observation/o3']],
    ['doctorA', 'Patient', ['Patient/p1', 'Patient/p3']],
    ['nurseN', 'Observation', ['Observation/o3']],
    ['pharmacist', 'MedicationRequest', ['MedicationRequest/m1', 'MedicationRequest/m2']],
    ['pharmacist', 'Observation', 403],
    ['clerk', 'Patient', ['Patient/p1', 'Patient/p2', 'Patient/p3']],
    ['patient1', 'Observation', ['Observation/o1', 'Observation/o1v']],
    ['patient1', 'Patient', ['Patient/p1']],
    ['registry', 'DocumentReference', ['DocumentReference/docReg']],
    ['registry', 'Patient', 403],
    ['doctorA', 'AuditEvent', 403],
    ['admin', 'AuditEvent?_id=ae1', ['AuditEvent/ae1']],
  ];
  for (const [caller, query, expected] of table) {
    it(`${caller} GET ${query}`, async () => {
      if (expected === 403) expect((await as(caller, 'GET', query)).status).toBe(403);
      else expect(await ids(caller, query)).toEqual(expected);
    });
  }
});

describe('no route leaks another patient’s data', () => {
  it('_include and _revinclude leave out what the caller may not read', async () => {
    // p1's Observations include their subject; p2 is never included.
    expect(await ids('patient1', 'Observation?_include=Observation:subject')).toEqual(['Observation/o1', 'Observation/o1v', 'Patient/p1']);
    expect(await ids('patient1', 'Patient?_revinclude=Observation:subject')).toEqual(['Observation/o1', 'Observation/o1v', 'Patient/p1']);
    expect(await ids('pharmacist', 'MedicationRequest?_include=MedicationRequest:subject&_revinclude=Observation:subject').then((r) => r.filter((x) => x.startsWith('Observation')))).toEqual([]);
  });

  it('chains and _has only see what the caller may see', async () => {
    expect(await ids('patient1', 'Observation?subject:Patient.name=Two')).toEqual([]);
    expect(await ids('patient1', 'Patient?_has:Observation:subject:code:text=obs o2')).toEqual([]);
    expect(await ids('doctorA', 'Patient?_has:Observation:subject:code:text=obs o3')).toEqual(['Patient/p3']);
    expect(await ids('doctorA', 'Patient?_has:Observation:subject:code:text=obs o2')).toEqual([]);
  });

  it('history, vread and compartment search', async () => {
    expect((await as('patient1', 'GET', 'Observation/o2/_history')).status).toBe(403);
    expect((await as('patient1', 'GET', 'Observation/o2/_history/1')).status).toBe(403);
    expect((await as('patient1', 'GET', 'Observation/o1/_history')).status).toBe(200);
    expect((await as('patient1', 'GET', 'Observation/_history')).status).toBe(403);
    expect((await as('patient1', 'GET', '_history')).status).toBe(403);
    expect((await as('admin', 'GET', '_history')).status).toBe(200);
    expect(await ids('patient1', 'Patient/p2/Observation')).toEqual([]);
    expect(await ids('patient1', 'Patient/p1/Observation')).toEqual(['Observation/o1', 'Observation/o1v']);
    expect(await ids('patient1', '?_type=Observation,Patient')).toEqual(['Observation/o1', 'Observation/o1v', 'Patient/p1']);
    // System search leaves out the types the caller may not search, rather than failing.
    expect(await ids('patient1', '?_type=Observation,AuditEvent')).toEqual(['Observation/o1', 'Observation/o1v']);
    expect(await ids('patient1', '?_type=AuditEvent')).toEqual([]);
    expect(await ids('clerk', '?_id=p1,o1')).toEqual(['Patient/p1']);
  });

  it('bundles: each entry is checked on its own; a transaction with a refused entry stores nothing', async () => {
    const batch = await as('patient1', 'POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [{ request: { method: 'GET', url: 'Observation/o1' } }, { request: { method: 'GET', url: 'Observation/o2' } }, { request: { method: 'GET', url: 'Observation' } }],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['200 OK', '403 Forbidden', '200 OK']);
    expect(batch.body.entry[2].resource.entry.map((e: { resource: Resource }) => e.resource.id).sort()).toEqual(['o1', 'o1v']);
    const before = await ids('admin', 'Observation?code:text=sneaky');
    const transaction = await as('doctorA', 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'POST', url: 'Observation' }, resource: { ...observation('t', 'p1'), code: { text: 'sneaky' } } },
        { request: { method: 'POST', url: 'Observation' }, resource: { ...observation('t', 'p2'), code: { text: 'sneaky' } } },
      ],
    });
    expect(transaction.status).toBe(403);
    expect(await ids('admin', 'Observation?code:text=sneaky')).toEqual(before);
  });
});

describe('scopes narrow the role', () => {
  it('a SMART app in a patient context sees that patient only, and only the granted types', async () => {
    const app = { role: 'doctor' as const, fhirUser: 'Practitioner/drA', scope: 'launch/patient patient/Observation.rs', patient: 'p3' };
    expect(await ids(app, 'Observation')).toEqual(['Observation/o3']);
    expect((await as(app, 'GET', 'Observation/o1')).status).toBe(403);
    expect((await as(app, 'GET', 'Patient/p3')).status).toBe(403);
    expect((await as(app, 'POST', 'Observation', observation('x', 'p3'))).status).toBe(403);
    // The role still applies: a patient context outside the doctor's patients shows nothing.
    expect(await ids({ ...app, patient: 'p2' }, 'Observation')).toEqual([]);
  });

  it('granular v2 scopes', async () => {
    const labOnly = { ...CALLERS.patient1!, scope: 'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory' };
    expect(await ids(labOnly, 'Observation')).toEqual(['Observation/o1']);
    expect((await as(labOnly, 'GET', 'Observation/o1')).status).toBe(200);
    expect((await as(labOnly, 'GET', 'Observation/o1v')).status).toBe(403);
    const v1 = { ...CALLERS.patient1!, scope: 'patient/Observation.read' };
    expect(await ids(v1, 'Observation')).toEqual(['Observation/o1', 'Observation/o1v']);
  });

  it('backend clients act through their system/ scopes', async () => {
    const client = { kind: 'client' as const, scope: 'system/Patient.rs' };
    expect(await ids(client, 'Patient')).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3']);
    expect((await as(client, 'GET', 'Observation')).status).toBe(403);
    expect((await as(client, 'POST', 'Patient', { resourceType: 'Patient' })).status).toBe(403);
    // user/ scopes mean nothing without a user.
    expect((await as({ kind: 'client', scope: 'user/*.cruds' }, 'GET', 'Patient')).status).toBe(403);
  });
});

// Last: these writes add resources the expectations above do not list.
describe('writes by role and patient', () => {
  it('clinicians write for their patients only; nurses do not prescribe; nobody deletes clinical data but admins', async () => {
    expect((await as('doctorA', 'POST', 'Observation', observation('x', 'p1'))).status).toBe(201);
    expect((await as('doctorA', 'POST', 'Observation', observation('x', 'p2'))).status).toBe(403);
    expect((await as('doctorA', 'PUT', 'Observation/o1', { ...observation('o1', 'p1'), status: 'amended' })).status).toBe(200);
    expect((await as('doctorA', 'PUT', 'Observation/o2', { ...observation('o2', 'p2'), status: 'amended' })).status).toBe(403);
    // Moving a resource to a patient out of reach is refused too.
    expect((await as('doctorA', 'PUT', 'Observation/o1', observation('o1', 'p2'))).status).toBe(403);
    expect((await as('doctorA', 'DELETE', 'Observation/o1')).status).toBe(403);
    const rx = { resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: { text: 'x' }, subject: ref('Patient/p3') };
    expect((await as('doctorA', 'POST', 'MedicationRequest', rx)).status).toBe(201);
    expect((await as('nurseN', 'POST', 'MedicationRequest', rx)).status).toBe(403);
    expect((await as('pharmacist', 'POST', 'MedicationDispense', { resourceType: 'MedicationDispense', status: 'completed', medicationCodeableConcept: { text: 'x' }, subject: ref('Patient/p2') })).status).toBe(201);
    expect((await as('clerk', 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'New' }] })).status).toBe(201);
    expect((await as('clerk', 'POST', 'Observation', observation('x', 'p1'))).status).toBe(403);
    const message = (patient: string) => ({ resourceType: 'Communication', status: 'completed', subject: ref(`Patient/${patient}`), payload: [{ contentString: 'hello' }] });
    expect((await as('patient1', 'POST', 'Communication', message('p1'))).status).toBe(201);
    expect((await as('patient1', 'POST', 'Communication', message('p2'))).status).toBe(403);
    expect((await as('patient1', 'POST', 'Observation', observation('x', 'p1'))).status).toBe(403);
    expect((await as('registry', 'POST', 'DocumentReference', { resourceType: 'DocumentReference', status: 'current', subject: ref('Patient/p1'), content: [{ attachment: { title: 'x' } }] })).status).toBe(403);
    expect((await as('registry', 'POST', 'Task', { resourceType: 'Task', status: 'draft', intent: 'order', focus: ref('Practitioner/drB') })).status).toBe(201);
  });

  it('AuditEvents cannot be changed or deleted, even by an admin', async () => {
    const current = (await as('admin', 'GET', 'AuditEvent/ae1')).body as Resource;
    expect((await as('admin', 'PUT', 'AuditEvent/ae1', current)).status).toBe(405);
    expect((await as('admin', 'DELETE', 'AuditEvent/ae1')).status).toBe(405);
    expect((await as('admin', 'GET', 'AuditEvent/ae1')).body).toEqual(current);
  });
});

/**
 * The full grid for one clinical type: every role × every interaction × a patient in reach and
 * one out of reach. Each write works on a fresh Observation, so cases do not depend on each other.
 */
describe('role × interaction × patient grid (Observation)', () => {
  type Interaction = 'read' | 'vread' | 'history' | 'search' | 'create' | 'update' | 'patch' | 'delete';
  const INTERACTIONS: Interaction[] = ['read', 'vread', 'history', 'search', 'create', 'update', 'patch', 'delete'];
  /** The patient each caller may reach (undefined: none), and the allowed interactions there. */
  const GRID: Record<string, { reach?: string; everyone?: boolean; allowed: Interaction[] }> = {
    admin: { reach: 'p1', everyone: true, allowed: INTERACTIONS },
    doctorA: { reach: 'p1', allowed: ['read', 'vread', 'history', 'search', 'create', 'update', 'patch'] },
    nurseN: { reach: 'p3', allowed: ['read', 'vread', 'history', 'search', 'create', 'update', 'patch'] },
    patient1: { reach: 'p1', allowed: ['read', 'vread', 'history', 'search'] },
    pharmacist: { allowed: [] },
    clerk: { allowed: [] },
    registry: { allowed: [] },
  };
  const OK: Record<Interaction, number> = { read: 200, vread: 200, history: 200, search: 200, create: 201, update: 200, patch: 200, delete: 200 };
  let n = 0;

  async function run(caller: string, interaction: Interaction, patient: string) {
    const id = `grid${n++}`;
    await put(observation(id, patient));
    switch (interaction) {
      case 'read':
        return as(caller, 'GET', `Observation/${id}`);
      case 'vread':
        return as(caller, 'GET', `Observation/${id}/_history/1`);
      case 'history':
        return as(caller, 'GET', `Observation/${id}/_history`);
      case 'search':
        return as(caller, 'GET', `Observation?_id=${id}`);
      case 'create':
        return as(caller, 'POST', 'Observation', observation('new', patient));
      case 'update':
        return as(caller, 'PUT', `Observation/${id}`, { ...observation(id, patient), status: 'amended' });
      case 'patch':
        return server.request
          .patch(`/fhir/Observation/${id}`)
          .set('Authorization', `Bearer ${token(CALLERS[caller]!)}`)
          .set('Content-Type', 'application/json-patch+json')
          .send([{ op: 'replace', path: '/status', value: 'amended' }]);
      case 'delete':
        return as(caller, 'DELETE', `Observation/${id}`);
    }
  }

  for (const [caller, { reach, everyone, allowed }] of Object.entries(GRID)) {
    for (const interaction of INTERACTIONS) {
      for (const target of ['in reach', 'out of reach'] as const) {
        const patient = target === 'in reach' ? reach : 'p2';
        if (!patient) continue;
        const permitted = (target === 'in reach' || everyone === true) && allowed.includes(interaction);
        it(`${caller} ${interaction} ${target} → ${permitted ? 'allowed' : 'refused'}`, async () => {
          const res = await run(caller, interaction, patient);
          // A search the role may make at all answers 200, narrowed: the resource is simply absent.
          if (interaction === 'search' && (permitted || allowed.includes('search'))) {
            expect(res.status).toBe(200);
            expect((res.body.entry ?? []).length).toBe(permitted ? 1 : 0);
            return;
          }
          expect(res.status, JSON.stringify(res.body)).toBe(permitted ? OK[interaction] : 403);
        });
      }
    }
  }
});
