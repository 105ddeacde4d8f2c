import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await server?.close();
});

function expectOutcome(res: { status: number; body: { resourceType?: string; issue?: unknown[] }; headers: Record<string, string> }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue?.length).toBeGreaterThan(0);
}

describe('errors are OperationOutcomes with the right status', () => {
  it('unknown resource type → 404', async () => {
    expectOutcome(await server.request.get('/fhir/Spaceship/1'), 404);
    expectOutcome(await server.request.post('/fhir/Spaceship').send({ resourceType: 'Spaceship' }), 404);
    expectOutcome(await server.request.get('/fhir/SubscriptionStatus/1'), 404);
  });

  it('unknown routes → 404, inside and outside /fhir', async () => {
    expectOutcome(await server.request.get('/fhir/Patient/1/2/3/4/5/6'), 404);
    expectOutcome(await server.request.get('/nowhere'), 404);
    expectOutcome(await server.request.get('/fhir/lowercase'), 404);
  });

  it('wrong method on a known path → 405 with Allow', async () => {
    const res = await server.request.delete('/fhir/metadata');
    expectOutcome(res, 405);
    expect(res.headers.allow).toBe('GET');
  });

  it('malformed JSON, non-objects and non-resources → 400', async () => {
    const bad = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send('{"resourceType": "Patient",');
    expectOutcome(bad, 400);
    expect(JSON.stringify(bad.body)).toMatch(/not valid JSON/);
    expectOutcome(await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send('[1,2]'), 400);
    expectOutcome(await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send('"x"'), 400);
    expectOutcome(await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send('{"name": []}'), 400);
    expectOutcome(await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(''), 400);
  });

  it('schema violations name the offending element', async () => {
    const unknown = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', colour: 'blue' });
    expectOutcome(unknown, 400);
    expect(unknown.body.issue[0].expression[0]).toBe('Patient.colour');
    const wrongType = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', active: 'yes' });
    expectOutcome(wrongType, 400);
    expect(wrongType.body.issue[0].expression[0]).toBe('Patient.active');
    const badDate = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', birthDate: '2020-13-45' });
    expectOutcome(badDate, 400);
    expect(badDate.body.issue[0].expression[0]).toBe('Patient.birthDate');
    const badCode = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', gender: ' female ' });
    expectOutcome(badCode, 400);
    expect(badCode.body.issue[0].expression[0]).toBe('Patient.gender');
  });

  it('numbers beyond a double (1e400 parses as Infinity, stored as null) → 400, nothing stored', async () => {
    const send = (body: string) => server.request.post('/fhir/Observation').set('Content-Type', FHIR_JSON).send(body);
    const observation = (value: string) => `{"resourceType":"Observation","status":"final","code":{"text":"weight"},"valueQuantity":{"value":${value}}}`;
    for (const value of ['1e400', '-1e400', '2e308']) {
      const res = await send(observation(value));
      expectOutcome(res, 400);
      expect(res.body.issue[0].expression[0]).toBe('Observation.valueQuantity.value');
      expect(res.body.issue[0].diagnostics).toMatch(/beyond the range/);
    }
    const range = await send('{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueRange":{"low":{"value":1e400}}}');
    expectOutcome(range, 400);
    const integer = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send('{"resourceType":"Patient","multipleBirthInteger":1e400}');
    expectOutcome(integer, 400);
    expect((await server.request.get('/fhir/Observation?_summary=count')).body.total).toBe(0);
    const largest = await send(observation('1.7e308'));
    expect(largest.status).toBe(201);
    expect(largest.body.valueQuantity.value).toBe(1.7e308);
    const validated = await server.request.post('/fhir/Observation/$validate').set('Content-Type', FHIR_JSON).send(observation('1e400'));
    expect(validated.status).toBe(200);
    expect(validated.body.issue.some((i: { severity: string; expression?: string[] }) => i.severity === 'error' && i.expression?.[0] === 'Observation.valueQuantity.value')).toBe(true);
  });

  it('injection attempts are rejected and store nothing', async () => {
    const before = await server.request.get('/fhir/Patient/_history');
    const injected = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', name: { $gt: '' } });
    expectOutcome(injected, 400);
    const injectedKey = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', $where: 'sleep(1000)' });
    expectOutcome(injectedKey, 400);
    expectOutcome(await server.request.get('/fhir/Patient/.*'), 400);
    expectOutcome(await server.request.get('/fhir/Patient/%24gt'), 404);
    expectOutcome(await server.request.get('/fhir/Patient/a%2Fb'), 400);
    expectOutcome(await server.request.get(`/fhir/Patient/${'x'.repeat(65)}`), 400);
    const after = await server.request.get('/fhir/Patient/_history');
    expect(after.body.total).toBe(before.body.total);
  });

  it('malformed URLs and odd query names are 4xx, not crashes', async () => {
    expectOutcome(await server.request.get('/fhir/Patient/%E0%A4%A'), 400);
    expectOutcome(await server.request.get('/fhir/Patient/_history?_count[$gt]=1'), 400);
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient' });
    const odd = await server.request.get(`/fhir/Patient/${created.body.id}?_elements[$ne]=x&a=%ZZ`);
    expect(odd.status).toBe(200);
    expect(odd.body.id).toBe(created.body.id);
  });

  it('deeply nested bodies are a 400, not a crash', async () => {
    const deep = `{"resourceType":"Patient","extension":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expectOutcome(await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(deep), 400);
  });

  it('bodies over the limit → 413', async () => {
    const big = { resourceType: 'Patient', name: [{ text: 'x'.repeat(70 * 1024) }] };
    expectOutcome(await server.request.post('/fhir/Patient').send(big), 413);
  });

  it('unsupported media types → 415, unacceptable formats → 406', async () => {
    expectOutcome(await server.request.post('/fhir/Patient').set('Content-Type', 'application/fhir+xml').send('<Patient/>'), 415);
    expectOutcome(await server.request.post('/fhir/Patient').set('Content-Type', 'text/plain').send('hello'), 415);
    expectOutcome(await server.request.get('/fhir/metadata').set('Accept', 'application/fhir+xml'), 406);
    expectOutcome(await server.request.get('/fhir/metadata?_format=xml'), 406);
  });

  it('a thrown bug is a 500 with a generic message and the request id, and the server keeps serving', async () => {
    const store = server.container.store;
    const original = store.read.bind(store);
    store.read = async () => {
      throw new TypeError('secret internal detail');
    };
    try {
      const res = await server.request.get('/fhir/Patient/boom').set('X-Request-Id', 'req-boom-1');
      expectOutcome(res, 500);
      expect(JSON.stringify(res.body)).not.toMatch(/secret internal detail/);
      expect(res.body.issue[0].diagnostics).toContain('req-boom-1');
      expect(res.headers['x-request-id']).toBe('req-boom-1');
    } finally {
      store.read = original;
    }
    expect((await server.request.get('/healthz')).status).toBe(200);
  });
});
