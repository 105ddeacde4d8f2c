/**
 * transaction Bundles on both atomic paths: mongo-java-server (no transactions: undo journal)
 * and jongodb (multi-document transactions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoEngine } from '../../src/store/mongo/engine';
import { startJongodb } from '../../src/store/mongo/engine';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';
import { parseConditionHeader } from '../../src/fhir/conditional/condition';

let jongodb: MongoEngine;
const servers: Record<string, TestServer> = {};
beforeAll(async () => {
  jongodb = await startJongodb();
  servers.journal = await startTestServer();
  servers.transactions = await startTestServer({ mongodbUrl: jongodb.url });
});
afterAll(async () => {
  for (const server of Object.values(servers)) await server.close();
  await jongodb?.stop();
});

const MRN = 'urn:test:mrn';
type Entry = { resource?: { id: string; subject?: { reference: string } }; response: { status: string; location?: string } };

describe.each(['journal', 'transactions'])('transaction (%s path)', (path) => {
  const server = () => servers[path]!;
  it('runs on the expected path', () => {
    expect(server().container.store.supportsTransactions).toBe(path === 'transactions');
  });

  it('stores every entry, with urn:uuid references rewritten to the assigned ids', async () => {
    const res = await server().request.post('/fhir').send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111',
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'hr' }, subject: { reference: 'urn:uuid:22222222-2222-4222-8222-222222222222' } },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222',
          resource: { resourceType: 'Patient', identifier: [{ system: MRN, value: `${path}-1` }] },
          request: { method: 'POST', url: 'Patient' },
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('transaction-response');
    const [observation, patient] = res.body.entry as Entry[];
    expect(observation!.response.status).toBe('201 Created');
    expect(patient!.response.status).toBe('201 Created');
    const patientId = patient!.response.location!.split('/').at(-3);
    expect(observation!.resource!.subject!.reference).toBe(`Patient/${patientId}`);
    expect((await server().request.get(`/fhir/Patient/${patientId}`)).status).toBe(200);
  });

  it('stores nothing when an entry fails, and names the failing entry', async () => {
    await server().request.put('/fhir/Patient/tx-keep').send({ resourceType: 'Patient', id: 'tx-keep', active: true });
    const res = await server().request.post('/fhir').send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', id: 'tx-keep', active: false }, request: { method: 'PUT', url: 'Patient/tx-keep' } },
        { resource: { resourceType: 'Patient', identifier: [{ system: MRN, value: `${path}-lost` }] }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'DELETE', url: 'Patient/tx-keep' } },
        { resource: { resourceType: 'Patient', birthDate: 'never' }, request: { method: 'POST', url: 'Patient' } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].expression).toEqual(['Bundle.entry[3]']);
    expect(res.body.issue[0].diagnostics).toContain('nothing was stored');
    const kept = await server().request.get('/fhir/Patient/tx-keep');
    expect(kept.status).toBe(200);
    expect(kept.body.active).toBe(true);
    expect(kept.body.meta.versionId).toBe('1');
    expect((await server().request.get('/fhir/Patient/tx-keep/_history')).body.total).toBe(1);
    expect(await server().container.fhir.conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|${path}-lost`), 5)).toEqual([]);
  });

  it('fails when two entries change the same resource, counting what conditional entries resolve to', async () => {
    const put = (id: string, more: object = {}) => ({ resource: { resourceType: 'Patient', id, ...more }, request: { method: 'PUT', url: `Patient/${id}` } });
    const transaction = (entry: object[]) => server().request.post('/fhir').send({ resourceType: 'Bundle', type: 'transaction', entry });
    const twice = await transaction([put(`${path}-twice`, { active: true }), put(`${path}-twice`, { active: false })]);
    expect(twice.status).toBe(400);
    expect(twice.body.issue[0].diagnostics).toContain(`entries 0 and 1 both change Patient/${path}-twice`);
    expect(twice.body.issue[0].diagnostics).toMatch(/^Transaction failed at entry 1 \(PUT Patient\/[^)]+\): entries 0 and 1 both change [^;]+; a transaction may change a resource only once; nothing was stored$/);
    expect((await server().request.get(`/fhir/Patient/${path}-twice`)).status).toBe(404);

    const id = `${path}-overlap`;
    await server().request.put(`/fhir/Patient/${id}`).send({ resourceType: 'Patient', id, active: true, identifier: [{ system: MRN, value: id }] });
    const deleteAndPut = await transaction([put(id, { active: false }), { request: { method: 'DELETE', url: `Patient/${id}` } }]);
    expect(deleteAndPut.status).toBe(400);
    expect(deleteAndPut.body.issue[0].expression).toEqual(['Bundle.entry[0]']);
    const conditionalPut = { resource: { resourceType: 'Patient', active: false, identifier: [{ system: MRN, value: id }] }, request: { method: 'PUT', url: `Patient?identifier=${MRN}|${id}` } };
    expect((await transaction([conditionalPut, put(id, { active: false })])).status).toBe(400);
    const conditionalDelete = { request: { method: 'DELETE', url: `Patient?identifier=${MRN}|${id}` } };
    const patch = { resource: { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'Patient.active' }] }] }, request: { method: 'PATCH', url: `Patient/${id}` } };
    expect((await transaction([patch, conditionalDelete])).status).toBe(400);
    // Nothing of any of them was stored.
    const kept = await server().request.get(`/fhir/Patient/${id}`);
    expect(kept.status).toBe(200);
    expect(kept.body.active).toBe(true);
    expect(kept.body.meta.versionId).toBe('1');
    // Different resources in one transaction are fine.
    expect((await transaction([put(`${path}-a`), put(`${path}-b`)])).status).toBe(200);
  });

  it('fails on a reference to a urn:uuid no entry creates, storing nothing', async () => {
    const res = await server().request.post('/fhir').send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:44444444-4444-4444-8444-444444444444', resource: { resourceType: 'Patient', identifier: [{ system: MRN, value: `${path}-dangling` }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:0b1f0000-0000-4000-8000-000000000001' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.issue[0].diagnostics).toContain('urn:uuid:0b1f0000-0000-4000-8000-000000000001');
    expect(await server().container.fhir.conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|${path}-dangling`), 5)).toEqual([]);
  });

  it('resolves conditional references: one match rewritten, none 400, several 412', async () => {
    await server().request.post('/fhir/Patient').send({ resourceType: 'Patient', identifier: [{ system: MRN, value: `${path}-cond` }] });
    const obs = (reference: string) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference } }, request: { method: 'POST', url: 'Observation' } }],
    });
    const ok = await server().request.post('/fhir').send(obs(`Patient?identifier=${MRN}|${path}-cond`));
    expect(ok.status).toBe(200);
    expect((ok.body.entry as Entry[])[0]!.resource!.subject!.reference).toMatch(/^Patient\/[0-9a-f-]{36}$/);
    expect((await server().request.post('/fhir').send(obs(`Patient?identifier=${MRN}|nobody`))).status).toBe(400);
    await server().request.post('/fhir/Patient').send({ resourceType: 'Patient', identifier: [{ system: MRN, value: `${path}-cond` }] });
    expect((await server().request.post('/fhir').send(obs(`Patient?identifier=${MRN}|${path}-cond`))).status).toBe(412);
  });

  it('points references at the existing match of a conditional create', async () => {
    const existing = await server().request.post('/fhir/Patient').send({ resourceType: 'Patient', identifier: [{ system: MRN, value: `${path}-exists` }] });
    const res = await server().request.post('/fhir').send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:33333333-3333-4333-8333-333333333333', resource: { resourceType: 'Patient', identifier: [{ system: MRN, value: `${path}-exists` }] }, request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${MRN}|${path}-exists` } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:33333333-3333-4333-8333-333333333333' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(res.status).toBe(200);
    const [patient, observation] = res.body.entry as Entry[];
    expect(patient!.response.status).toBe('200 OK');
    expect(observation!.resource!.subject!.reference).toBe(`Patient/${existing.body.id}`);
  });
});

describe('journal recovery', () => {
  it('undoes a transaction left open by a crashed process at the next start', async () => {
    const server = servers.journal!;
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', active: true });
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    await db.collection<{ _id: string }>('journal').insertOne({
      _id: 'crashed',
      state: 'open',
      at: new Date(Date.now() - 3_600_000),
      steps: [{ type: 'Patient', id: created.body.id, before: null, vid: 1, historyKey: `Patient/${created.body.id}/1` }],
    } as never);
    const { MongoFhirStore } = await import('../../src/store/mongo/mongo-store');
    await new MongoFhirStore(server.container.mongoClient, db).init(['Patient']);
    expect((await server.request.get(`/fhir/Patient/${created.body.id}`)).status).toBe(404);
    expect(await db.collection('journal').countDocuments({ _id: 'crashed' } as never)).toBe(0);
  });
});

describe('concurrent transactions (journal path)', () => {
  it('two transactions updating one resource at the same version: one wins, the other stores nothing', async () => {
    const server = servers.journal!;
    await server.request.put('/fhir/Patient/tx-race').send({ resourceType: 'Patient', id: 'tx-race' });
    const bundle = (n: number) => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', identifier: [{ system: MRN, value: `race-side-${n}` }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', id: 'tx-race', gender: n === 1 ? 'male' : 'female' }, request: { method: 'PUT', url: 'Patient/tx-race', ifMatch: 'W/"1"' } },
      ],
    });
    const [a, b] = await Promise.all([server.request.post('/fhir').send(bundle(1)), server.request.post('/fhir').send(bundle(2))]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const winner = a.status === 200 ? 1 : 2;
    const loser = 3 - winner;
    const current = await server.request.get('/fhir/Patient/tx-race');
    expect(current.body.meta.versionId).toBe('2');
    expect(current.body.gender).toBe(winner === 1 ? 'male' : 'female');
    expect((await server.request.get('/fhir/Patient/tx-race/_history')).body.total).toBe(2);
    const conditional = server.container.fhir.conditional;
    expect(await conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|race-side-${winner}`), 5)).toHaveLength(1);
    expect(await conditional.matchIds('Patient', parseConditionHeader(`identifier=${MRN}|race-side-${loser}`), 5)).toHaveLength(0);
  });
});
