import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('GET /metadata', () => {
  it('describes the 146 resource types, interactions and operations the server really has', async () => {
    const res = await server.request.get('/fhir/metadata');
    expect(res.status).toBe(200);
    const cs = res.body;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.kind).toBe('instance');
    const resources = cs.rest[0].resource as Array<{ type: string; interaction: Array<{ code: string }>; operation?: Array<{ name: string }> }>;
    expect(resources).toHaveLength(146);
    expect(resources.map((r) => r.type)).toEqual(server.container.definitions.resourceTypes);
    const patient = resources.find((r) => r.type === 'Patient')!;
    expect(patient.interaction.map((i) => i.code).sort()).toEqual(['create', 'delete', 'history-instance', 'history-type', 'patch', 'read', 'search-type', 'update', 'vread']);
    expect(cs.patchFormat).toEqual(['application/json-patch+json', 'application/fhir+json']);
    expect(patient.operation?.map((o) => o.name).sort()).toEqual(['meta', 'meta-add', 'meta-delete', 'reindex', 'restore', 'validate']);
    expect(cs.rest[0].interaction.map((i: { code: string }) => i.code)).toEqual(['history-system', 'batch', 'transaction', 'search-system']);
    expect(cs.rest[0].operation.map((o: { name: string }) => o.name)).toEqual(['meta', 'reindex', 'registry-statistics']);
    // Search: every parameter with its type and definition, includes and reverse includes.
    const search = patient as unknown as { searchParam: Array<{ name: string; type: string; definition: string }>; searchInclude: string[]; searchRevInclude: string[] };
    expect(search.searchParam.find((p) => p.name === 'birthdate')).toMatchObject({ type: 'date', definition: 'http://hl7.org/fhir/SearchParameter/individual-birthdate' });
    expect(search.searchParam.find((p) => p.name === '_lastUpdated')).toMatchObject({ type: 'date' });
    expect((search.searchParam.find((p) => p.name === 'family') as unknown as { documentation: string }).documentation).toContain('Modifiers: :missing :exact :contains');
    expect(search.searchParam.map((p) => p.name)).not.toContain('_text');
    expect(search.searchInclude).toContain('Patient:organization');
    expect(search.searchRevInclude).toContain('Observation:subject');
  });

  it('is itself valid against the R4 schema', async () => {
    const res = await server.request.get('/fhir/metadata');
    expect(server.container.fhir.service.validate(res.body, 'CapabilityStatement')).toBeTruthy();
  });
});
