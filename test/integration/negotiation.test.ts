import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

let server: TestServer;
let id: string;
beforeAll(async () => {
  server = await startTestServer();
  id = (await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', active: true })).body.id;
});
afterAll(async () => {
  await server?.close();
});

describe('content negotiation', () => {
  it('answers application/fhir+json by default and for */*', async () => {
    expect((await server.request.get(`/fhir/Patient/${id}`)).headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect((await server.request.get(`/fhir/Patient/${id}`).set('Accept', '*/*')).headers['content-type']).toMatch(/^application\/fhir\+json/);
  });

  it('answers application/json when asked by Accept or _format', async () => {
    expect((await server.request.get(`/fhir/Patient/${id}`).set('Accept', 'application/json')).headers['content-type']).toMatch(/^application\/json/);
    expect((await server.request.get(`/fhir/Patient/${id}?_format=application/json`)).headers['content-type']).toMatch(/^application\/json/);
    expect((await server.request.get(`/fhir/Patient/${id}?_format=json`)).headers['content-type']).toMatch(/^application\/fhir\+json/);
  });

  it('_format overrides Accept', async () => {
    const res = await server.request.get(`/fhir/Patient/${id}?_format=json`).set('Accept', 'application/fhir+xml');
    expect(res.status).toBe(200);
  });

  it('prefers the highest q value it can produce', async () => {
    const res = await server.request.get(`/fhir/Patient/${id}`).set('Accept', 'application/fhir+xml;q=0.9, application/json;q=0.5');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await server.request.head(`/fhir/Patient/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(res.text ?? '').toBe('');
    expect((await server.request.head('/fhir/Patient/nope')).status).toBe(404);
  });

  it('_pretty indents the output', async () => {
    const res = await server.request.get(`/fhir/Patient/${id}?_pretty=true`);
    expect(res.text).toContain('\n  "resourceType"');
    expect((await server.request.get(`/fhir/Patient/${id}`)).text).not.toContain('\n');
  });

  it('accepts application/json request bodies', async () => {
    const res = await server.request.post('/fhir/Patient').set('Content-Type', 'application/json; charset=utf-8').send('{"resourceType":"Patient"}');
    expect(res.status).toBe(201);
  });
});

describe('operational endpoints', () => {
  it('healthz and readyz', async () => {
    expect((await server.request.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await server.request.get('/readyz')).body).toEqual({ status: 'ready' });
  });

  it('echoes a request id or makes one', async () => {
    expect((await server.request.get('/healthz')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.request.get('/healthz').set('X-Request-Id', 'abc-123')).headers['x-request-id']).toBe('abc-123');
  });
});
