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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Entry = { fullUrl: string; resource?: { id: string; meta: { versionId: string } }; request: { method: string; url: string }; response: { status: string; etag: string } };

describe('history', () => {
  it('pages through type history newest first with next links and no repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await server.request.post('/fhir/Device').send({ resourceType: 'Device', lotNumber: `lot-${i}` })).body.id);
    }
    const seen: string[] = [];
    let url: string | undefined = '/fhir/Device/_history?_count=3';
    let pages = 0;
    while (url) {
      const res = await server.request.get(url);
      expect(res.status).toBe(200);
      expect(res.body.type).toBe('history');
      if (pages === 0) expect(res.body.total).toBe(7);
      expect(res.body.entry.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.entry.map((e: Entry) => e.resource!.id));
      const next = res.body.link.find((l: { relation: string }) => l.relation === 'next');
      // A write between pages must not shift what later pages return.
      if (pages === 0) await server.request.post('/fhir/Device').send({ resourceType: 'Device', lotNumber: 'late' });
      url = next ? next.url.replace('http://localhost:8080', '') : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('describes each entry with request and response', async () => {
    const created = await server.request.post('/fhir/Location').send({ resourceType: 'Location', name: 'Clinic A' });
    const id = created.body.id as string;
    await server.request.put(`/fhir/Location/${id}`).send({ ...created.body, name: 'Clinic B' });
    const res = await server.request.get(`/fhir/Location/${id}/_history`);
    const [update, create] = res.body.entry as Entry[];
    expect(update!.request).toEqual({ method: 'PUT', url: `Location/${id}` });
    expect(update!.response.status).toBe('200 OK');
    expect(update!.response.etag).toBe('W/"2"');
    expect(update!.fullUrl).toBe(`http://localhost:8080/fhir/Location/${id}`);
    expect(create!.request).toEqual({ method: 'POST', url: 'Location' });
    expect(create!.response.status).toBe('201 Created');
    expect(create!.resource!.meta.versionId).toBe('1');
    const elements = await server.request.get(`/fhir/Location/${id}/_history?_elements=status`);
    expect(elements.body.entry[0].resource.name).toBeUndefined();
    expect(elements.body.entry[0].resource.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
  });

  it('filters by _since and _at', async () => {
    const created = await server.request.post('/fhir/Basic').send({ resourceType: 'Basic', code: { text: 'v1' } });
    const id = created.body.id as string;
    await sleep(30);
    const between = new Date().toISOString();
    await sleep(30);
    await server.request.put(`/fhir/Basic/${id}`).send({ ...created.body, code: { text: 'v2' } });
    const since = await server.request.get(`/fhir/Basic/${id}/_history?_since=${encodeURIComponent(between)}`);
    expect(since.body.entry.map((e: Entry) => e.resource!.meta.versionId)).toEqual(['2']);
    const at = await server.request.get(`/fhir/Basic/${id}/_history?_at=${encodeURIComponent(between)}`);
    expect(at.body.entry.map((e: Entry) => e.resource!.meta.versionId)).toEqual(['1']);
    const bad = await server.request.get(`/fhir/Basic/${id}/_history?_since=yesterday`);
    expect(bad.status).toBe(400);
  });

  it('system history includes every type; instance history of an unknown id is 404', async () => {
    await server.request.post('/fhir/Organization').send({ resourceType: 'Organization', name: 'Registry' });
    const res = await server.request.get('/fhir/_history?_count=500');
    const types = new Set((res.body.entry as Entry[]).map((e) => e.fullUrl.split('/').at(-2)));
    expect(types.has('Organization')).toBe(true);
    expect(types.has('Device')).toBe(true);
    expect((await server.request.get('/fhir/Patient/nope/_history')).status).toBe(404);
    const empty = await server.request.get('/fhir/Questionnaire/_history');
    expect(empty.status).toBe(200);
    expect(empty.body.total).toBe(0);
    expect(empty.body.entry).toBeUndefined();
    expect((await server.request.get('/fhir/Device/_history?_count=-1')).status).toBe(400);
    expect((await server.request.get('/fhir/Device/_history?_page=garbage')).status).toBe(400);
    expect((await server.request.get('/fhir/Device/_history?foo=1')).status).toBe(400);
  });
});
