/**
 * Parameter names that are also members of every JavaScript object (`toString`, `constructor`,
 * `__proto__`…) are names like any other wherever a query is read: the URL, a POST _search form,
 * If-None-Exist, the entries of a batch, the public registry and the OAuth endpoints. They once
 * made every FHIR route answer 500, before authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';
import { firstPartyToken } from '../helpers/smart';

const NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true });
  token = firstPartyToken(server, 'admin-1', 'admin');
  const created = await server.request.put('/fhir/Patient/p1').set('Authorization', `Bearer ${token}`).set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', id: 'p1' });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await server?.close();
});

const auth = () => ({ Authorization: `Bearer ${token}` });

describe.each(NAMES)('a parameter named %s', (name) => {
  it('is an unknown search parameter, not a server error', async () => {
    const search = await server.request.get(`/fhir/Patient?${name}=1`).set(auth());
    expect(search.status).toBe(200);
    const matches = search.body.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'match');
    expect(matches.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['p1']);
    const strict = await server.request.get(`/fhir/Patient?${name}=1`).set(auth()).set('Prefer', 'handling=strict');
    expect(strict.status).toBe(400);
    expect(strict.body.issue[0].diagnostics ?? strict.body.issue[0].details?.text).toContain(name);
    expect((await server.request.post('/fhir/Patient/_search').set(auth()).type('form').send(`${name}=1`)).status).toBe(200);
  });

  it('is refused or ignored before authentication and on public endpoints', async () => {
    expect((await server.request.get(`/fhir/Patient?${name}=1`)).status).toBe(401);
    expect((await server.request.get(`/fhir/metadata?${name}=1`)).status).toBe(200);
    const verify = await server.request.get(`/fhir/Practitioner/$verify-license?${name}=1`);
    expect(verify.status).toBe(400);
    expect(verify.body.resourceType).toBe('OperationOutcome');
    const authorize = await server.request.get(`/oauth2/authorize?${name}=1`);
    expect(authorize.status).toBeGreaterThanOrEqual(400);
    expect(authorize.status).toBeLessThan(500);
  });

  it('in If-None-Exist and a batch entry, is a client error of that request or entry only', async () => {
    const conditional = await server.request.post('/fhir/Patient').set(auth()).set('Content-Type', FHIR_JSON).set('If-None-Exist', `${name}=1`).send({ resourceType: 'Patient' });
    expect(conditional.status).toBe(400);
    const batch = await server.request
      .post('/fhir')
      .set(auth())
      .set('Content-Type', FHIR_JSON)
      .send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient?${name}=1` } }, { request: { method: 'GET', url: 'Patient/p1' } }] });
    expect(batch.status).toBe(200);
    expect(batch.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['200 OK', '200 OK']);
  });
});
