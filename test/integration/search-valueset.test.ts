/**
 * `:in` and `:not-in` against ValueSets stored on the server: listed concepts, whole code
 * systems, nested value sets, exclusions and expansions; filters over code systems we do not
 * hold (LOINC) are 400s. Filters and hierarchies: search-terminology.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const LOINC = 'http://loinc.org';

async function post(resource: Record<string, unknown>): Promise<void> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function ids(query: string): Promise<string[]> {
  const res = await server.request.get(`/fhir/Observation?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ((res.body.entry ?? []) as Array<{ resource: { code: { text: string } } }>).map((e) => e.resource.code.text).sort();
}

const observation = (text: string, system: string, code: string) => ({ resourceType: 'Observation', status: 'final', code: { text, coding: [{ system, code }] } });

beforeAll(async () => {
  server = await startTestServer();
  await post(observation('weight', LOINC, '29463-7'));
  await post(observation('height', LOINC, '8302-2'));
  await post(observation('bmi', LOINC, '39156-5'));
  await post(observation('local', 'urn:local', 'x1'));
  const vs = (id: string, body: Record<string, unknown>) => ({ resourceType: 'ValueSet', status: 'active', url: `http://example.org/ValueSet/${id}`, ...body });
  await post(vs('size', { compose: { include: [{ system: LOINC, concept: [{ code: '29463-7' }, { code: '8302-2' }] }] } }));
  await post(vs('local', { compose: { include: [{ system: 'urn:local' }] } }));
  // Includes are unioned; the value sets inside one include are intersected (ValueSet.compose.include).
  await post(vs('both', { compose: { include: [{ valueSet: ['http://example.org/ValueSet/size'] }, { valueSet: ['http://example.org/ValueSet/local'] }], exclude: [{ system: LOINC, concept: [{ code: '8302-2' }] }] } }));
  await post(vs('neither', { compose: { include: [{ valueSet: ['http://example.org/ValueSet/size', 'http://example.org/ValueSet/local'] }] } }));
  await post(vs('loinc-size', { compose: { include: [{ system: LOINC, valueSet: ['http://example.org/ValueSet/size'] }], exclude: [{ system: LOINC, concept: [{ code: '29463-7' }] }] } }));
  await post(vs('expanded', { expansion: { timestamp: '2024-01-01T00:00:00Z', contains: [{ system: LOINC, code: '39156-5' }] } }));
  await post(vs('filtered', { compose: { include: [{ system: LOINC, filter: [{ property: 'parent', op: 'is-a', value: 'x' }] }] } }));
});
afterAll(async () => {
  await server?.close();
});

describe(':in and :not-in', () => {
  it('match the codes of a stored ValueSet', async () => {
    expect(await ids('code:in=http://example.org/ValueSet/size')).toEqual(['height', 'weight']);
    expect(await ids('code:not-in=http://example.org/ValueSet/size')).toEqual(['bmi', 'local']);
    expect(await ids('code:in=http://example.org/ValueSet/local')).toEqual(['local']);
    expect(await ids('code:in=http://example.org/ValueSet/both')).toEqual(['local', 'weight']);
    expect(await ids('code:in=http://example.org/ValueSet/neither')).toEqual([]);
    expect(await ids('code:not-in=http://example.org/ValueSet/neither')).toEqual(['bmi', 'height', 'local', 'weight']);
    expect(await ids('code:in=http://example.org/ValueSet/loinc-size')).toEqual(['height']);
    expect(await ids('code:in=http://example.org/ValueSet/expanded')).toEqual(['bmi']);
    expect(await ids('code:in=http://example.org/ValueSet/expanded,http://example.org/ValueSet/local')).toEqual(['bmi', 'local']);
  });

  it('refuse unknown ValueSets and filters over code systems not loaded here', async () => {
    for (const url of ['http://example.org/ValueSet/nope', 'http://example.org/ValueSet/filtered']) {
      const res = await server.request.get(`/fhir/Observation?code:in=${url}`);
      expect(res.status, url).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
  });
});
