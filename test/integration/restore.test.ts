/** `$restore`: a deleted resource comes back as a new version with its last content; admins only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
let admin = '';
let doctor = '';

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true });
  const issue = (role: 'admin' | 'doctor') => server.container.auth.tokens.issue({ subject: role, kind: 'user', role, clientId: 't', scope: 'user/*.cruds', fhirUser: 'Practitioner/x' }).accessToken;
  admin = issue('admin');
  doctor = issue('doctor');
});
afterAll(async () => {
  await server?.close();
});

const send = (method: 'get' | 'put' | 'post' | 'delete', path: string, token: string, body?: object) => {
  const req = server.request[method](`/fhir/${path}`).set('Authorization', `Bearer ${token}`);
  return body ? req.set('Content-Type', FHIR_JSON).send(body) : req;
};

describe('$restore', () => {
  it('brings back the last version before the deletion as a new version', async () => {
    expect((await send('put', 'Patient/r1', admin, { resourceType: 'Patient', id: 'r1', name: [{ family: 'First' }] })).status).toBe(201);
    expect((await send('put', 'Patient/r1', admin, { resourceType: 'Patient', id: 'r1', name: [{ family: 'Second' }] })).status).toBe(200);
    expect((await send('delete', 'Patient/r1', admin)).status).toBe(200);
    expect((await send('get', 'Patient/r1', admin)).status).toBe(410);

    const restored = await send('post', 'Patient/r1/$restore', admin);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ resourceType: 'Patient', id: 'r1', name: [{ family: 'Second' }], meta: { versionId: '4' } });
    const read = await send('get', 'Patient/r1', admin);
    expect(read.status).toBe(200);
    expect(read.body.meta.versionId).toBe('4');
    const history = await send('get', 'Patient/r1/_history', admin);
    expect(history.body.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual(['PUT', 'DELETE', 'PUT', 'PUT']);
  });

  it('refuses what cannot be restored, and everyone but admins', async () => {
    expect((await send('post', 'Patient/r1/$restore', admin)).status).toBe(409);
    expect((await send('post', 'Patient/never/$restore', admin)).status).toBe(404);
    expect((await send('get', 'Patient/r1/$restore', admin)).status).toBe(405);
    await send('delete', 'Patient/r1', admin);
    const refused = await send('post', 'Patient/r1/$restore', doctor);
    expect(refused.status).toBe(403);
    expect(refused.body.issue[0].code).toBe('forbidden');
    expect((await send('get', 'Patient/r1', admin)).status).toBe(410);
    expect((await server.request.post('/fhir/Patient/r1/$restore')).status).toBe(401);
  });
});
