import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ maxBundleEntries: 5 });
});
afterAll(async () => {
  await server?.close();
});

type Entry = { fullUrl?: string; resource?: { resourceType: string; id?: string; active?: boolean; type?: string }; response: { status: string; location?: string; etag?: string; lastModified?: string; outcome?: { issue: Array<{ code: string }> } } };

describe('batch', () => {
  it('processes entries independently, in DELETE, POST, PUT/PATCH, GET order, answering in request order', async () => {
    await server.request.put('/fhir/Patient/b-1').send({ resourceType: 'Patient', id: 'b-1', active: true });
    await server.request.put('/fhir/Patient/b-del').send({ resourceType: 'Patient', id: 'b-del' });
    const res = await server.request.post('/fhir').send({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: 'Patient/b-1' } },
        { resource: { resourceType: 'Patient', id: 'b-1', active: false }, request: { method: 'PUT', url: 'Patient/b-1' } },
        { resource: { resourceType: 'Patient', active: true }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'DELETE', url: 'Patient/b-del' } },
        { request: { method: 'GET', url: 'Patient/b-del' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('Bundle');
    expect(res.body.type).toBe('batch-response');
    const [get, put, post, del, getDeleted] = res.body.entry as Entry[];
    // The GET runs after the PUT, whatever its place in the Bundle.
    expect(get!.response.status).toBe('200 OK');
    expect(get!.resource!.active).toBe(false);
    expect(get!.fullUrl).toBe('http://localhost:8080/fhir/Patient/b-1');
    expect(put!.response.status).toBe('200 OK');
    expect(put!.response.etag).toBe('W/"2"');
    expect(put!.response.location).toBe('http://localhost:8080/fhir/Patient/b-1/_history/2');
    // The exact instant of the version, not the Last-Modified header's whole seconds.
    expect(put!.response.lastModified).toBe((await server.request.get('/fhir/Patient/b-1')).body.meta.lastUpdated);
    expect(post!.response.status).toBe('201 Created');
    expect(post!.resource!.id).toBeDefined();
    expect((await server.request.get(`/fhir/Patient/${post!.resource!.id}`)).status).toBe(200);
    expect(del!.response.status).toBe('200 OK');
    expect(getDeleted!.response.status).toBe('410 Gone');
    expect(getDeleted!.response.outcome!.issue[0]!.code).toBe('deleted');
  });

  it('answers a HEAD entry without the resource', async () => {
    await server.request.put('/fhir/Patient/b-head').send({ resourceType: 'Patient', id: 'b-head' });
    const res = await server.request.post('/fhir').send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'HEAD', url: 'Patient/b-head' } }, { request: { method: 'GET', url: 'Patient/b-head' } }] });
    const [head, get] = res.body.entry as Entry[];
    expect(head!.response.status).toBe('200 OK');
    expect(head!.response.etag).toBe('W/"1"');
    expect(head!.resource).toBeUndefined();
    expect(get!.resource!.id).toBe('b-head');
  });

  it('reports a failing entry on its own and still runs the others', async () => {
    const res = await server.request.post('/fhir').send({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', id: 'b-ok' }, request: { method: 'PUT', url: 'Patient/b-ok' } },
        { request: { method: 'GET', url: 'Spaceship/1' } },
        { resource: { resourceType: 'Patient', id: 'b-ok' }, request: { method: 'PUT', url: 'Patient/b-ok', ifMatch: 'W/"9"' } },
      ],
    });
    expect(res.status).toBe(200);
    const [bad, ok, unknown, stale] = res.body.entry as Entry[];
    expect(bad!.response.status).toBe('400 Bad Request');
    expect(bad!.response.outcome!.issue[0]!.code).toBe('value');
    expect(ok!.response.status).toBe('201 Created');
    expect(unknown!.response.status).toBe('404 Not Found');
    expect(stale!.response.status).toBe('412 Precondition Failed');
    expect((await server.request.get('/fhir/Patient/b-ok')).status).toBe(200);
  });

  it('supports conditional create and PATCH entries, and return=minimal', async () => {
    const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/active', value: true }])).toString('base64');
    await server.request.put('/fhir/Patient/b-p').send({ resourceType: 'Patient', id: 'b-p' });
    const res = await server.request.post('/fhir').set('Prefer', 'return=minimal').send({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', identifier: [{ system: 'urn:b', value: '1' }] }, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:b|1' } },
        { resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patch }, request: { method: 'PATCH', url: 'Patient/b-p' } },
      ],
    });
    const [created, patched] = res.body.entry as Entry[];
    expect(created!.response.status).toBe('201 Created');
    expect(created!.resource).toBeUndefined();
    expect(patched!.response.status).toBe('200 OK');
    expect((await server.request.get('/fhir/Patient/b-p')).body.active).toBe(true);
  });

  it('rejects what is not a batch: wrong bodies 400, too many entries 413', async () => {
    expect((await server.request.post('/fhir').send({ resourceType: 'Patient' })).status).toBe(400);
    expect((await server.request.post('/fhir').send({ resourceType: 'Bundle', type: 'collection' })).status).toBe(400);
    const six = Array.from({ length: 6 }, () => ({ request: { method: 'GET', url: 'metadata' } }));
    const tooMany = await server.request.post('/fhir').send({ resourceType: 'Bundle', type: 'batch', entry: six });
    expect(tooMany.status).toBe(413);
    const nested = await server.request.post('/fhir').send({ resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'Bundle', type: 'batch' }, request: { method: 'POST', url: '/' } }] });
    expect((nested.body.entry as Entry[])[0]!.response.status).toBe('400 Bad Request');
    const absolute = await server.request.post('/fhir').send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'http://elsewhere.org/fhir/Patient/1' } }] });
    expect((absolute.body.entry as Entry[])[0]!.response.status).toBe('400 Bad Request');
    const ours = await server.request.post('/fhir').send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'http://localhost:8080/fhir/Patient/b-ok' } }] });
    expect((ours.body.entry as Entry[])[0]!.response.status).toBe('200 OK');
  });
});
