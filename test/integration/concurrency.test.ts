import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('optimistic concurrency', () => {
  it('20 parallel PUTs with the same If-Match: exactly one wins, no update is lost', async () => {
    await server.request.put('/fhir/Patient/race').send({ resourceType: 'Patient', id: 'race', active: true });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.request
          .put('/fhir/Patient/race')
          .set('If-Match', 'W/"1"')
          .send({ resourceType: 'Patient', id: 'race', name: [{ text: `writer ${i}` }] }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412 || s === 409)).toHaveLength(19);
    const winner = results.find((r) => r.status === 200)!;
    const current = await server.request.get('/fhir/Patient/race');
    expect(current.body.meta.versionId).toBe('2');
    expect(current.body.name).toEqual(winner.body.name);
    const history = await server.request.get('/fhir/Patient/race/_history');
    expect(history.body.total).toBe(2);
    expect(history.body.entry[0].resource.name).toEqual(winner.body.name);
  });

  it('20 parallel PUTs without If-Match each get their own version, all kept in history', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.request.put('/fhir/Patient/race2').send({ resourceType: 'Patient', id: 'race2', name: [{ text: `w${i}` }] }),
      ),
    );
    const history = await server.request.get('/fhir/Patient/race2/_history?_count=50');
    expect(history.body.total).toBe(20);
    const versions = history.body.entry.map((e: { resource: { meta: { versionId: string } } }) => Number(e.resource.meta.versionId));
    expect(new Set(versions).size).toBe(20);
    expect(Math.max(...versions)).toBe(20);
    const current = await server.request.get('/fhir/Patient/race2');
    expect(current.body.meta.versionId).toBe('20');
  });

  it('20 parallel create-only PUTs (If-None-Match: *) of one new id: exactly one 201, the rest 412', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.request.put('/fhir/Patient/race3').set('If-None-Match', '*').send({ resourceType: 'Patient', id: 'race3', name: [{ text: `c${i}` }] }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
    const history = await server.request.get('/fhir/Patient/race3/_history');
    expect(history.body.total).toBe(1);
    expect(history.body.entry[0].resource.name).toEqual(results.find((r) => r.status === 201)!.body.name);
  });
});
