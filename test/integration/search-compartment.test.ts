/**
 * Compartment search (GET Patient/123/Observation): membership through any of the reference
 * parameters the R4 CompartmentDefinition lists, combined with ordinary search parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;

async function put(resource: Record<string, unknown>): Promise<void> {
  const res = await server.request.put(`/fhir/${resource.resourceType}/${resource.id}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

const ids = (body: { entry?: Array<{ resource: { id: string } }> }) => (body.entry ?? []).map((e) => e.resource.id);

beforeAll(async () => {
  server = await startTestServer();
  await put({ resourceType: 'Patient', id: 'c1' });
  await put({ resourceType: 'Patient', id: 'c2' });
  await put({ resourceType: 'Practitioner', id: 'pr1' });
  await put({ resourceType: 'Observation', id: 'by-subject', status: 'final', code: { text: 'a' }, subject: { reference: 'Patient/c1' } });
  await put({ resourceType: 'Observation', id: 'by-performer', status: 'amended', code: { text: 'b' }, performer: [{ reference: 'Patient/c1' }] });
  await put({ resourceType: 'Observation', id: 'other', status: 'final', code: { text: 'c' }, subject: { reference: 'Patient/c2' }, performer: [{ reference: 'Practitioner/pr1' }] });
});
afterAll(async () => {
  await server?.close();
});

describe('compartment search', () => {
  it('finds the resources that refer to the owner through any compartment parameter', async () => {
    const res = await server.request.get('/fhir/Patient/c1/Observation');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(['by-performer', 'by-subject']);
    expect(res.body.link[0].url).toBe('http://localhost:8080/fhir/Patient/c1/Observation');
    expect(ids((await server.request.get('/fhir/Patient/c1/Observation?status=final')).body)).toEqual(['by-subject']);
    expect(ids((await server.request.get('/fhir/Practitioner/pr1/Observation')).body)).toEqual(['other']);
    expect(ids((await server.request.get('/fhir/Patient/c1/Patient')).body)).toEqual(['c1']);
  });

  it('refuses types outside the compartment and unknown compartments', async () => {
    expect((await server.request.get('/fhir/Patient/c1/Organization')).status).toBe(400);
    expect((await server.request.get('/fhir/Observation/by-subject/Patient')).status).toBe(404);
  });

  it('the CapabilityStatement lists the compartments', async () => {
    const cs = (await server.request.get('/fhir/metadata')).body;
    expect(cs.rest[0].compartment).toContain('http://hl7.org/fhir/CompartmentDefinition/patient');
  });
});
