/**
 * The store must behave the same on every engine it may run on: the CRUD/history cycle and
 * transaction detection on jongodb (which supports transactions) and mongo-java-server (which
 * does not). Real MongoDB is covered by MONGODB_URL runs of the whole suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoEngine } from '../../src/store/mongo/engine';
import { startJongodb } from '../../src/store/mongo/engine';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

let jongodb: MongoEngine;
let onJongodb: TestServer;
let onJavaServer: TestServer;

beforeAll(async () => {
  jongodb = await startJongodb();
  onJongodb = await startTestServer({ mongodbUrl: jongodb.url });
  onJavaServer = await startTestServer();
});
afterAll(async () => {
  await onJongodb?.close();
  await onJavaServer?.close();
  await jongodb?.stop();
});

describe('engine compatibility', () => {
  it('detects transaction support at start', () => {
    expect(onJongodb.container.store.supportsTransactions).toBe(true);
    expect(onJavaServer.container.store.supportsTransactions).toBe(process.env.MONGODB_URL ? onJavaServer.container.store.supportsTransactions : false);
  });

  it('runs the whole create/read/update/delete/history/$meta cycle on jongodb', async () => {
    const { request } = onJongodb;
    const created = await request.post('/fhir/Patient').send({ resourceType: 'Patient', active: true });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await request.get(`/fhir/Patient/${id}`)).body.active).toBe(true);
    const updated = await request.put(`/fhir/Patient/${id}`).set('If-Match', 'W/"1"').send({ ...created.body, active: false });
    expect(updated.status).toBe(200);
    expect((await request.put(`/fhir/Patient/${id}`).set('If-Match', 'W/"1"').send(created.body)).status).toBe(412);
    const added = await request
      .post(`/fhir/Patient/${id}/$meta-add`)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: { tag: [{ system: 'urn:x', code: 'y' }] } }] });
    expect(added.status).toBe(200);
    expect((await request.get('/fhir/Patient/$meta')).body.parameter[0].valueMeta.tag).toEqual([{ system: 'urn:x', code: 'y' }]);
    expect((await request.delete(`/fhir/Patient/${id}`)).status).toBe(200);
    expect((await request.get(`/fhir/Patient/${id}`)).status).toBe(410);
    const history = await request.get(`/fhir/Patient/${id}/_history?_count=2`);
    expect(history.body.total).toBe(3);
    expect(history.body.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual(['DELETE', 'PUT']);
    const next = history.body.link.find((l: { relation: string }) => l.relation === 'next').url.replace('http://localhost:8080', '');
    expect((await request.get(next)).body.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual(['POST']);
    const at = await request.get(`/fhir/Patient/${id}/_history?_at=${encodeURIComponent(updated.body.meta.lastUpdated)}`);
    expect(at.body.entry.map((e: { resource: { meta: { versionId: string } } }) => e.resource.meta.versionId)).toEqual(['2']);
  });
});
