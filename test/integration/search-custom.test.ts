/**
 * Custom SearchParameters: storing one makes it searchable for new writes, $reindex extracts it
 * for resources stored before (a background job reported by a Task), unusable ones are refused,
 * deleting one removes it, and a restarted server registers the stored ones again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Container } from '../../src/container';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;

const nickname = {
  resourceType: 'SearchParameter',
  url: 'http://baobab.health/fhir/SearchParameter/patient-nickname',
  name: 'nickname',
  status: 'active',
  description: 'Names of use nickname',
  code: 'nickname',
  base: ['Patient'],
  type: 'string',
  expression: "Patient.name.where(use = 'nickname').given",
};

const ids = (body: { entry?: Array<{ resource: { id: string }; search: { mode: string } }> }) =>
  (body.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource.id).sort();

async function waitForTask(path: string): Promise<{ status: string; output: Array<{ type: { text: string }; valueInteger: number }> }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const task = (await server.request.get(path)).body;
    if (task.status !== 'in-progress') return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('reindex did not finish');
}

beforeAll(async () => {
  server = await startTestServer();
  await server.request.put('/fhir/Patient/before').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', id: 'before', name: [{ use: 'nickname', given: ['Bunmi'] }] });
});
afterAll(async () => {
  await server?.close();
});

describe('custom search parameters', () => {
  it('are unknown until stored, then searchable for new writes', async () => {
    const strict = await server.request.get('/fhir/Patient?nickname=bun').set('Prefer', 'handling=strict');
    expect(strict.status).toBe(400);
    const created = await server.request.post('/fhir/SearchParameter').set('Content-Type', FHIR_JSON).send(nickname);
    expect(created.status).toBe(201);
    await server.request.put('/fhir/Patient/after').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', id: 'after', name: [{ use: 'nickname', given: ['Bunmi'] }, { given: ['Bunmi-official'] }] });
    await server.request.put('/fhir/Patient/other').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', id: 'other', name: [{ given: ['Bunmi'] }] });
    const found = await server.request.get('/fhir/Patient?nickname=bun').set('Prefer', 'handling=strict');
    expect(found.status).toBe(200);
    // Written before the parameter existed: not found until reindexed.
    expect(ids(found.body)).toEqual(['after']);
  });

  it('$reindex of a type runs as a job reported by a Task, after which older resources match', async () => {
    const res = await server.request.post('/fhir/Patient/$reindex').set('Content-Type', FHIR_JSON).send({ resourceType: 'Parameters' });
    expect(res.status).toBe(202);
    const location = res.headers['content-location'] as string;
    expect(location).toMatch(/\/fhir\/Task\/[^/]+$/);
    const task = await waitForTask(location.replace('http://localhost:8080', ''));
    expect(task.status).toBe('completed');
    expect(task.output.find((o) => o.type.text === 'processed')?.valueInteger).toBe(3);
    expect(ids((await server.request.get('/fhir/Patient?nickname=bun')).body)).toEqual(['after', 'before']);
    // Reindexing makes no new versions.
    expect((await server.request.get('/fhir/Patient/before')).body.meta.versionId).toBe('1');
    const one = await server.request.post('/fhir/Patient/before/$reindex').set('Content-Type', FHIR_JSON).send({ resourceType: 'Parameters' });
    expect(one.status).toBe(200);
    expect((await server.request.get('/fhir/Patient/$reindex')).status).toBe(405);
  });

  it('refuses unusable parameters and forgets deleted ones', async () => {
    const bad = await server.request.post('/fhir/SearchParameter').set('Content-Type', FHIR_JSON).send({ ...nickname, url: 'http://x/bad', code: 'bad', base: ['NoSuchType'] });
    expect(bad.status).toBe(400);
    expect((await server.request.get('/fhir/SearchParameter?url=http://x/bad&_summary=count')).body.total).toBe(0);
  });

  it('a restarted server registers the stored parameters again', async () => {
    const again = await Container.create(server.config);
    try {
      expect(again.fhir.search.get('Patient', 'nickname')?.type).toBe('string');
    } finally {
      await again.close();
    }
    const stored = (await server.request.get(`/fhir/SearchParameter?url=${nickname.url}`)).body.entry[0].resource;
    expect((await server.request.delete(`/fhir/SearchParameter/${stored.id}`)).status).toBeLessThan(300);
    expect((await server.request.get('/fhir/Patient?nickname=bun').set('Prefer', 'handling=strict')).status).toBe(400);
  });
});
