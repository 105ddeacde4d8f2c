/** $validate-code for code systems we hold no copy of: system URI and code format over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const vs = { resourceType: 'ValueSet', status: 'active', url: 'http://example.org/ValueSet/any-loinc', compose: { include: [{ system: 'http://loinc.org' }] } };
  expect((await server.request.post('/fhir/ValueSet').set('Content-Type', FHIR_JSON).send(vs)).status).toBe(201);
});
afterAll(async () => {
  await server?.close();
});

async function result(path: string): Promise<{ result: boolean; message?: string }> {
  const res = await server.request.get(`/fhir/${path}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const get = (name: string) => res.body.parameter.find((p: { name: string }) => p.name === name);
  return { result: get('result').valueBoolean, message: get('message')?.valueString };
}

describe('$validate-code on LOINC, SNOMED CT and friends', () => {
  it('checks the format, says existence was not checked', async () => {
    const ok = await result('CodeSystem/$validate-code?url=http://loinc.org&code=8302-2');
    expect(ok.result).toBe(true);
    expect(ok.message).toMatch(/not checked/);
    expect((await result('CodeSystem/$validate-code?url=http://loinc.org&code=8302-3')).result).toBe(false);
    expect((await result('CodeSystem/$validate-code?url=http://snomed.info/sct&code=73211009')).result).toBe(true);
    expect((await result('CodeSystem/$validate-code?url=http://snomed.info/sct&code=73211008')).result).toBe(false);
    const oid = await result('CodeSystem/$validate-code?url=urn:oid:2.16.840.1.113883.6.1&code=8302-2');
    expect(oid).toEqual({ result: false, message: expect.stringContaining("use 'http://loinc.org'") });
  });

  it('a ValueSet including all of LOINC accepts well-formed codes only', async () => {
    expect((await result('ValueSet/$validate-code?url=http://example.org/ValueSet/any-loinc&system=http://loinc.org&code=29463-7')).result).toBe(true);
    expect((await result('ValueSet/$validate-code?url=http://example.org/ValueSet/any-loinc&system=http://loinc.org&code=29463-1')).result).toBe(false);
  });
});
