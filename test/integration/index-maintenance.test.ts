/**
 * Stored search indexes follow the search definitions across restarts: a fresh database records
 * every type's fingerprint, a type whose definitions changed since its resources were indexed is
 * reindexed in the background at the next start, and a type `$reindex` records what it applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { buildApp } from '../../src/app';
import { Container } from '../../src/container';
import { indexFingerprint } from '../../src/fhir/search/index-maintenance';
import { MongoIndexFingerprintStore } from '../../src/store/mongo/index-fingerprint-store';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;

const nickname = {
  resourceType: 'SearchParameter',
  url: 'http://baobab.health/fhir/SearchParameter/index-maintenance-nickname',
  name: 'nickname',
  status: 'active',
  description: 'Names of use nickname',
  code: 'nickname',
  base: ['Patient'],
  type: 'string',
  expression: "Patient.name.where(use = 'nickname').given",
};

const matchIds = (body: { entry?: Array<{ resource: { id: string }; search: { mode: string } }> }) =>
  (body.entry ?? []).filter((e) => e.search.mode === 'match').map((e) => e.resource.id).sort();

const fingerprints = () => server.container.mongoClient.db(server.config.mongodbDatabase).collection<{ _id: string; fingerprint: string }>('index_fingerprints');

async function storedFingerprint(type: string): Promise<string | undefined> {
  return (await fingerprints().findOne({ _id: type }))?.fingerprint;
}

async function waitForTask(request: ReturnType<typeof supertest>, id: string): Promise<{ status: string; output: Array<{ type: { text: string }; valueInteger: number }> }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const task = (await request.get(`/fhir/Task/${id}`)).body;
    if (task.status !== 'in-progress') return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('reindex did not finish');
}

/** A second server process on the same database, as after a restart or an upgrade. */
async function restarted<T>(fn: (container: Container, request: ReturnType<typeof supertest>) => Promise<T>): Promise<T> {
  const container = await Container.create(server.config);
  try {
    return await fn(container, supertest(buildApp(container)));
  } finally {
    await container.close();
  }
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('search index maintenance', () => {
  it('a fresh database records the fingerprint of every type and reindexes nothing', async () => {
    const types = server.container.definitions.resourceTypes;
    expect(await fingerprints().countDocuments()).toBe(types.length);
    expect(await storedFingerprint('Patient')).toBe(indexFingerprint(server.container.fhir.search, 'Patient'));
    expect((await server.request.get('/fhir/Task?_summary=count')).body.total).toBe(0);
    // A restart with nothing changed starts no job either.
    const stale = await restarted((container) => container.fhir.indexes!.reindexStale());
    expect(stale).toEqual({ reindexing: [] });
  });

  it('a parameter stored without $reindex is extracted for older resources at the next start', async () => {
    const put = await server.request.put('/fhir/Patient/older').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', id: 'older', name: [{ use: 'nickname', given: ['Tolu'] }] });
    expect(put.status).toBe(201);
    const before = await storedFingerprint('Patient');
    expect((await server.request.post('/fhir/SearchParameter').set('Content-Type', FHIR_JSON).send(nickname)).status).toBe(201);
    // Indexed before the parameter existed: this process does not find it.
    expect(matchIds((await server.request.get('/fhir/Patient?nickname=tolu')).body)).toEqual([]);
    expect(await storedFingerprint('Patient')).toBe(before);

    await restarted(async (container, request) => {
      const task = (await request.get('/fhir/Task?code:text=$reindex')).body.entry?.[0]?.resource;
      expect(task?.input?.[0]?.valueString).toBe('Patient');
      const done = await waitForTask(request, task.id);
      expect(done.status).toBe('completed');
      expect(done.output.find((o) => o.type.text === 'processed')?.valueInteger).toBe(1);
      expect(matchIds((await request.get('/fhir/Patient?nickname=tolu')).body)).toEqual(['older']);
      // Recorded as applied, with the parameter in it; other types were left alone.
      expect(await storedFingerprint('Patient')).toBe(indexFingerprint(container.fhir.search, 'Patient'));
      expect(await storedFingerprint('Patient')).not.toBe(before);
      expect((await request.get('/fhir/Task?_summary=count')).body.total).toBe(1);
    });
    // The resource got no new version: only its index changed.
    expect((await server.request.get('/fhir/Patient/older')).body.meta.versionId).toBe('1');
  });

  it('a start leaves alone a type another live job is reindexing, and takes over from a dead one', async () => {
    const other = { ...nickname, url: 'http://baobab.health/fhir/SearchParameter/index-maintenance-maiden', name: 'maiden', code: 'maiden', expression: "Patient.name.where(use = 'maiden').family" };
    expect((await server.request.post('/fhir/SearchParameter').set('Content-Type', FHIR_JSON).send(other)).status).toBe(201);
    const target = indexFingerprint(server.container.fhir.search, 'Patient');
    // Another process's job, as it leaves things while it runs.
    const job = await server.container.fhir.service.create('Task', { resourceType: 'Task', status: 'in-progress', intent: 'order', code: { text: 'someone else' } });
    const store = new MongoIndexFingerprintStore(server.container.mongoClient.db(server.config.mongodbDatabase));
    await store.markPending(new Map([['Patient', target]]), job.id);
    const reindexJobs = async () => (await server.request.get('/fhir/Task?code:text=$reindex&_summary=count')).body.total as number;
    const before = await reindexJobs();
    expect(await restarted((container) => container.fhir.indexes!.reindexStale())).toEqual({ reindexing: [] });
    expect(await reindexJobs()).toBe(before);
    // That job died: the next start reindexes the type itself.
    await server.container.fhir.service.update('Task', job.id, { ...job.resource, status: 'failed' });
    await restarted(async (container, request) => {
      const tasks = (await request.get('/fhir/Task?code:text=$reindex&_sort=-_lastUpdated&_count=1')).body.entry;
      expect(await reindexJobs()).toBe(before + 1);
      expect((await waitForTask(request, tasks[0].resource.id)).status).toBe('completed');
      expect(await storedFingerprint('Patient')).toBe(indexFingerprint(container.fhir.search, 'Patient'));
    });
  });

  it('a type $reindex records what it applied, so the next start does not reindex again', async () => {
    const other = { ...nickname, url: 'http://baobab.health/fhir/SearchParameter/index-maintenance-alias', name: 'alias', code: 'alias', expression: "Patient.name.where(use = 'anonymous').given" };
    expect((await server.request.post('/fhir/SearchParameter').set('Content-Type', FHIR_JSON).send(other)).status).toBe(201);
    const res = await server.request.post('/fhir/Patient/$reindex').set('Content-Type', FHIR_JSON).send({ resourceType: 'Parameters' });
    expect(res.status).toBe(202);
    const id = (res.headers['content-location'] as string).split('/').pop()!;
    expect((await waitForTask(server.request, id)).status).toBe('completed');
    expect(await storedFingerprint('Patient')).toBe(indexFingerprint(server.container.fhir.search, 'Patient'));
    const stale = await restarted((container) => container.fhir.indexes!.reindexStale());
    expect(stale.reindexing).toEqual([]);
  });
});
