/**
 * Resolutions and binding expansions are remembered for a few seconds; a write or delete of a
 * ValueSet or CodeSystem through the server must be seen by the very next request.
 */
import type { Parameters } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

const VS = 'https://cache.test/fhir/ValueSet/colours';
const CS = 'https://cache.test/fhir/CodeSystem/colours';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const valueSet = (codes: string[]) => ({
  resourceType: 'ValueSet',
  url: VS,
  status: 'active',
  compose: { include: [{ system: CS, concept: codes.map((code) => ({ code })) }] },
});

async function inValueSet(code: string): Promise<boolean | undefined> {
  const response = await server.request.get('/fhir/ValueSet/$validate-code').query({ url: VS, system: CS, code });
  if (response.status !== 200) return undefined;
  return (response.body as Parameters).parameter?.find((p) => p.name === 'result')?.valueBoolean;
}

describe('terminology caches', () => {
  it('see an update and a delete of a ValueSet at once', async () => {
    const created = await server.request.post('/fhir/ValueSet').send(valueSet(['red']));
    expect(created.status).toBe(201);
    expect(await inValueSet('red')).toBe(true);
    expect(await inValueSet('blue')).toBe(false);

    const id = created.body.id as string;
    expect((await server.request.put(`/fhir/ValueSet/${id}`).send({ ...valueSet(['blue']), id })).status).toBe(200);
    expect(await inValueSet('red')).toBe(false);
    expect(await inValueSet('blue')).toBe(true);

    expect((await server.request.delete(`/fhir/ValueSet/${id}`)).status).toBe(200);
    expect(await inValueSet('blue')).toBeUndefined(); // unknown ValueSet now: not a 200
  });

  it('see a new CodeSystem at once in $lookup', async () => {
    const lookup = () => server.request.get('/fhir/CodeSystem/$lookup').query({ system: CS, code: 'green' });
    expect((await lookup()).status).toBe(404);
    const stored = await server.request.post('/fhir/CodeSystem').send({ resourceType: 'CodeSystem', url: CS, status: 'active', content: 'complete', concept: [{ code: 'green', display: 'Green' }] });
    expect(stored.status).toBe(201);
    const found = await lookup();
    expect(found.status).toBe(200);
    expect((found.body as Parameters).parameter?.find((p) => p.name === 'display')?.valueString).toBe('Green');
  });
});
