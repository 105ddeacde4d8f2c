import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ maxBinaryBytes: 64 * 1024 });
});
afterAll(async () => {
  await server?.close();
});

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0, 1, 2, 255, 254]), Buffer.from('\n%%EOF')]);

describe('Binary', () => {
  it('stores raw content and returns it with its Content-Type', async () => {
    const created = await server.request
      .post('/fhir/Binary')
      .set('Content-Type', 'application/pdf')
      .set('X-Security-Context', 'Patient/123')
      .send(pdf);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.contentType).toBe('application/pdf');
    expect(created.body.securityContext).toEqual({ reference: 'Patient/123' });

    const raw = await server.request.get(`/fhir/Binary/${id}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('application/pdf');
    expect(raw.headers.etag).toBe('W/"1"');
    expect(Buffer.compare(raw.body as Buffer, pdf)).toBe(0);

    const asFhir = await server.request.get(`/fhir/Binary/${id}`).set('Accept', 'application/fhir+json');
    expect(asFhir.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(asFhir.body.resourceType).toBe('Binary');
    expect(Buffer.from(asFhir.body.data, 'base64').equals(pdf)).toBe(true);
  });

  it('accepts a Binary resource as FHIR JSON and updates raw content by PUT', async () => {
    const created = await server.request
      .post('/fhir/Binary')
      .set('Content-Type', 'application/fhir+json')
      .send({ resourceType: 'Binary', contentType: 'text/plain', data: Buffer.from('hello').toString('base64') });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const raw = await server.request.get(`/fhir/Binary/${id}`);
    expect(raw.headers['content-type']).toMatch(/^text\/plain/);
    expect(raw.text).toBe('hello');
    const updated = await server.request.put(`/fhir/Binary/${id}`).set('Content-Type', 'text/plain').send('bye');
    expect(updated.status).toBe(200);
    expect((await server.request.get(`/fhir/Binary/${id}`)).text).toBe('bye');
  });

  it('rejects content over the Binary size limit with 413', async () => {
    const res = await server.request.post('/fhir/Binary').set('Content-Type', 'application/octet-stream').send(Buffer.alloc(65 * 1024, 7));
    expect(res.status).toBe(413);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});
