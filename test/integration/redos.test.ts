/**
 * Crafted regular expressions cannot stall the server (ReDoS): a ValueSet regex filter, a
 * FHIRPath Patch path and a custom SearchParameter's expression with catastrophic patterns all
 * finish (before this, each blocked the event loop for seconds to hours; a hang fails the test by
 * timeout), and patterns needing backtracking features are refused as client errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const ATTACK = `${'a'.repeat(40)}!`;

function expandWithFilter(value: string) {
  return server.request
    .post('/fhir/ValueSet/$expand')
    .set('Content-Type', FHIR_JSON)
    .send({
      resourceType: 'Parameters',
      parameter: [{ name: 'valueSet', resource: { resourceType: 'ValueSet', status: 'active', compose: { include: [{ system: 'http://hl7.org/fhir/administrative-gender', filter: [{ property: 'display', op: 'regex', value }] }] } } }],
    });
}

const patchPath = (path: string) => ({
  resourceType: 'Parameters',
  parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: path }] }],
});

describe('catastrophic regular expressions', () => {
  it('in a ValueSet regex filter: the expansion finishes, a backreference is a 400', async () => {
    const alternatives = `(${Array(20).fill('.').join('|')})*ZZZ`;
    const [expanded, health] = await Promise.all([expandWithFilter(alternatives), server.request.get('/healthz')]);
    expect(expanded.status).toBe(200);
    expect(expanded.body.expansion.total).toBe(0);
    expect(health.status).toBe(200);
    const ordinary = await expandWithFilter('F.*');
    expect(ordinary.body.expansion.contains.map((c: { code: string }) => c.code)).toEqual(['female']);
    const backreference = await expandWithFilter('(a)\\1');
    expect(backreference.status).toBe(400);
    expect(backreference.body.issue[0].diagnostics ?? backreference.body.issue[0].details.text).toMatch(/backreference/);
  });

  it('in a FHIRPath Patch path: the patch finishes, a backreference is a 422', async () => {
    const created = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', name: [{ family: ATTACK }, { family: 'Okafor' }] });
    const id = created.body.id as string;
    const patched = await server.request.patch(`/fhir/Patient/${id}`).set('Content-Type', FHIR_JSON).send(patchPath("Patient.name.where(family.matches('^(a+)+$'))"));
    expect(patched.status).toBe(200);
    expect(patched.body.name).toEqual([{ family: ATTACK }, { family: 'Okafor' }]);
    const literal = await server.request.patch(`/fhir/Patient/${id}`).set('Content-Type', FHIR_JSON).send(patchPath(`Patient.name.where('${ATTACK}'.matches('^(a+)+$'))`));
    expect(literal.status).toBe(200);
    const removed = await server.request.patch(`/fhir/Patient/${id}`).set('Content-Type', FHIR_JSON).send(patchPath("Patient.name.where(family.matches('^Ok'))"));
    expect(removed.body.name).toEqual([{ family: ATTACK }]);
    const backreference = await server.request.patch(`/fhir/Patient/${id}`).set('Content-Type', FHIR_JSON).send(patchPath("Patient.name.where(family.matches('(a)\\\\1'))"));
    expect(backreference.status).toBe(422);
    expect(JSON.stringify(backreference.body.issue)).toMatch(/backreference/);
  });

  it("in a custom SearchParameter's expression: writes finish and are indexed", async () => {
    const parameter = {
      resourceType: 'SearchParameter',
      url: 'http://baobab.health/fhir/SearchParameter/redos-family',
      name: 'aFamily',
      status: 'active',
      description: 'Families made of a',
      code: 'a-family',
      base: ['Patient'],
      type: 'string',
      expression: "Patient.name.family.where($this.matches('^(a+)+$'))",
    };
    expect((await server.request.post('/fhir/SearchParameter').set('Content-Type', FHIR_JSON).send(parameter)).status).toBe(201);
    const attack = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', name: [{ family: ATTACK }] });
    expect(attack.status).toBe(201);
    const plain = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', name: [{ family: 'aaaa' }] });
    const found = await server.request.get('/fhir/Patient?a-family=aa').set('Prefer', 'handling=strict');
    expect(found.status).toBe(200);
    expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([plain.body.id]);
  });
});
