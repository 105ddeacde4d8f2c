import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';
import { parseConditionHeader } from '../../src/fhir/conditional/condition';

let server: TestServer;
let multi: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  multi = await startTestServer({ conditionalDeleteMultiple: true, conditionalDeleteMax: 3 });
});
afterAll(async () => {
  await server?.close();
  await multi?.close();
});

const MRN = 'http://hospital.example.org/mrn';
const patient = (value: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  identifier: [{ system: MRN, value }],
  ...extra,
});

describe('conditional create (If-None-Exist)', () => {
  it('creates on no match, returns the match with 200 on one, 412 on several', async () => {
    const first = await server.request.post('/fhir/Patient').set('If-None-Exist', `identifier=${MRN}|c-1`).send(patient('c-1'));
    expect(first.status).toBe(201);
    const again = await server.request.post('/fhir/Patient').set('If-None-Exist', `identifier=${MRN}|c-1`).send(patient('c-1', { active: true }));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.active).toBeUndefined();
    expect(again.headers.location).toBe(`http://localhost:8080/fhir/Patient/${first.body.id}/_history/1`);
    // Token forms: value only, and by _id.
    expect((await server.request.post('/fhir/Patient').set('If-None-Exist', 'identifier=c-1').send(patient('c-1'))).body.id).toBe(first.body.id);
    expect((await server.request.post('/fhir/Patient').set('If-None-Exist', `_id=${first.body.id}`).send(patient('x'))).status).toBe(200);
    await server.request.post('/fhir/Patient').send(patient('dup'));
    await server.request.post('/fhir/Patient').send(patient('dup'));
    const many = await server.request.post('/fhir/Patient').set('If-None-Exist', `identifier=${MRN}|dup`).send(patient('dup'));
    expect(many.status).toBe(412);
    expect(many.body.issue[0].code).toBe('multiple-matches');
  });

  it('20 parallel conditional creates with the same condition create exactly one resource', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.request.post('/fhir/Patient').set('If-None-Exist', `identifier=${MRN}|race`).send(patient('race')),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(19);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await server.container.fhir.conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|race`), 10)).toHaveLength(1);
  });

  it('matches on any search parameter, chains included, and refuses unknown ones instead of ignoring them', async () => {
    const first = await server.request.post('/fhir/Patient').set('If-None-Exist', 'family=Conditionalia&birthdate=1970').send({ ...patient('any-1'), name: [{ family: 'Conditionalia' }], birthDate: '1970-02-03' });
    expect(first.status).toBe(201);
    const again = await server.request.post('/fhir/Patient').set('If-None-Exist', 'family=conditionalia&birthdate=1970').send({ ...patient('any-2'), name: [{ family: 'Conditionalia' }] });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const updated = await server.request.put('/fhir/Patient?family:exact=Conditionalia&birthdate=1970').send({ ...patient('any-3'), name: [{ family: 'Conditionalia' }], gender: 'female' });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(first.body.id);
    const observation = await server.request.post('/fhir/Observation').send({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${first.body.id}` } });
    expect((await server.request.delete('/fhir/Observation?subject:Patient.family=conditionalia')).status).toBeLessThan(300);
    expect((await server.request.get(`/fhir/Observation/${observation.body.id}`)).status).toBe(410);
    const res = await server.request.post('/fhir/Patient').set('If-None-Exist', 'shoe-size=42').send(patient('f'));
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toContain('shoe-size');
    expect((await server.request.post('/fhir/Patient').set('If-None-Exist', '').send(patient('f'))).status).toBe(400);
    expect((await server.request.delete('/fhir/Patient?birthdate=notadate')).status).toBe(400);
  });
});

describe('conditional update', () => {
  it('creates on no match, updates the one match, 412 on several, 400 on an id that differs', async () => {
    const created = await server.request.put(`/fhir/Patient?identifier=${MRN}|u-1`).send(patient('u-1'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const updated = await server.request.put(`/fhir/Patient?identifier=${MRN}|u-1`).send(patient('u-1', { active: true }));
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(id);
    expect(updated.body.meta.versionId).toBe('2');
    expect((await server.request.put(`/fhir/Patient?identifier=${MRN}|u-1`).send(patient('u-1', { id: 'other' }))).status).toBe(400);
    const withClientId = await server.request.put(`/fhir/Patient?identifier=${MRN}|u-2`).send(patient('u-2', { id: 'client-u2' }));
    expect(withClientId.status).toBe(201);
    expect(withClientId.body.id).toBe('client-u2');
    await server.request.post('/fhir/Patient').send(patient('u-dup'));
    await server.request.post('/fhir/Patient').send(patient('u-dup'));
    expect((await server.request.put(`/fhir/Patient?identifier=${MRN}|u-dup`).send(patient('u-dup'))).status).toBe(412);
    expect((await server.request.put(`/fhir/Patient?identifier=${MRN}|u-1`).set('If-Match', 'W/"1"').send(patient('u-1'))).status).toBe(412);
  });
});

describe('conditional delete', () => {
  it('deletes the one match; 412 on several unless multiple is enabled; no match is not an error', async () => {
    const created = await server.request.post('/fhir/Patient').send(patient('d-1'));
    expect((await server.request.delete(`/fhir/Patient?identifier=${MRN}|d-1`)).status).toBe(200);
    expect((await server.request.get(`/fhir/Patient/${created.body.id}`)).status).toBe(410);
    expect((await server.request.delete(`/fhir/Patient?identifier=${MRN}|d-1`).set('Prefer', 'return=minimal')).status).toBe(204);
    await server.request.post('/fhir/Patient').send(patient('d-dup'));
    await server.request.post('/fhir/Patient').send(patient('d-dup'));
    expect((await server.request.delete(`/fhir/Patient?identifier=${MRN}|d-dup`)).status).toBe(412);
    expect(await server.container.fhir.conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|d-dup`), 10)).toHaveLength(2);
  });

  it('deletes several matches when enabled, up to the configured maximum', async () => {
    for (let i = 0; i < 2; i++) await multi.request.post('/fhir/Patient').send(patient('m'));
    const res = await multi.request.delete(`/fhir/Patient?identifier=${MRN}|m`);
    expect(res.status).toBe(200);
    expect(await multi.container.fhir.conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|m`), 10)).toHaveLength(0);
    for (let i = 0; i < 4; i++) await multi.request.post('/fhir/Patient').send(patient('m4'));
    const tooMany = await multi.request.delete(`/fhir/Patient?identifier=${MRN}|m4`);
    expect(tooMany.status).toBe(412);
    expect(tooMany.body.issue[0].code).toBe('too-costly');
    expect((await multi.request.get('/fhir/metadata')).body.rest[0].resource[0].conditionalDelete).toBe('multiple');
  });
});

describe('conditional patch', () => {
  it('patches the one match; 404 on none; 412 on several', async () => {
    const created = await server.request.post('/fhir/Patient').send(patient('p-1'));
    const ops = JSON.stringify([{ op: 'add', path: '/active', value: true }]);
    const res = await server.request.patch(`/fhir/Patient?identifier=${MRN}|p-1`).set('Content-Type', 'application/json-patch+json').send(ops);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(created.body.id);
    expect(res.body.active).toBe(true);
    expect((await server.request.patch(`/fhir/Patient?identifier=${MRN}|none`).set('Content-Type', 'application/json-patch+json').send(ops)).status).toBe(404);
    await server.request.post('/fhir/Patient').send(patient('p-dup'));
    await server.request.post('/fhir/Patient').send(patient('p-dup'));
    expect((await server.request.patch(`/fhir/Patient?identifier=${MRN}|p-dup`).set('Content-Type', 'application/json-patch+json').send(ops)).status).toBe(412);
  });

  it('keeps identifier matching current through updates and deletes', async () => {
    const created = await server.request.post('/fhir/Patient').send(patient('moving'));
    await server.request.put(`/fhir/Patient/${created.body.id}`).send({ ...patient('moved'), id: created.body.id });
    expect(await server.container.fhir.conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|moving`), 10)).toEqual([]);
    expect(await server.container.fhir.conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|moved`), 10)).toEqual([created.body.id]);
    expect(await server.container.fhir.conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|`), 100)).toContain(created.body.id);
  });
});
