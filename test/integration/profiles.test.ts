/**
 * SearchParameters from profiles/ are searchable like R4's, listed in the CapabilityStatement,
 * and stored once as conformance resources (a restart stores no new version).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
// A clinic's own code beside the v2 one: the MR coding need not be the only one.
const MR = { coding: [{ system: 'urn:clinic:id-types', code: 'hospital-number' }, { system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };

async function post(resource: Record<string, unknown>): Promise<string> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function ids(query: string): Promise<string[]> {
  const res = await server.request.get(`/fhir/${query}`).set('Prefer', 'handling=strict');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ((res.body.entry ?? []) as Array<{ resource: { id: string } }>).map((e) => e.resource.id).sort();
}

const database = `t_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
let withMrn = '';
let licensed = '';

beforeAll(async () => {
  server = await startTestServer({ seedDefinitions: true, mongodbDatabase: database });
  withMrn = await post({ resourceType: 'Patient', identifier: [{ system: 'urn:clinic:mrn', value: 'MRN-001', type: MR }, { system: 'urn:ng:nin', value: '12345' }] });
  await post({ resourceType: 'Patient', identifier: [{ system: 'urn:clinic:other', value: 'MRN-001' }] });
  licensed = await post({ resourceType: 'Practitioner', qualification: [{ code: { text: 'Doctor' }, identifier: [{ system: 'urn:registry', value: 'PHB-DOC-2026-00001' }] }] });
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('SearchParameters from profiles/', () => {
  it('search Patient by medical record number only', async () => {
    expect(await ids('Patient?mrn=MRN-001')).toEqual([withMrn]);
    expect(await ids('Patient?mrn=urn:clinic:mrn|MRN-001')).toEqual([withMrn]);
    expect(await ids('Patient?mrn=12345')).toEqual([]);
    expect((await ids('Patient?identifier=MRN-001')).length).toBe(2);
  });

  it('search Practitioner by license number', async () => {
    expect(await ids('Practitioner?license-number=PHB-DOC-2026-00001')).toEqual([licensed]);
    expect(await ids('Practitioner?license-number=urn:registry|PHB-DOC-2026-00002')).toEqual([]);
  });

  it('are listed in the CapabilityStatement', async () => {
    const res = await server.request.get('/fhir/metadata');
    const patient = res.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    const mrn = patient.searchParam.find((p: { name: string }) => p.name === 'mrn');
    expect(mrn).toMatchObject({ definition: 'https://baobab.health/fhir/SearchParameter/patient-mrn', type: 'token' });
  });

  it('are stored once, and a restart on the same database adds no version', async () => {
    const first = await server.request.get('/fhir/SearchParameter/patient-mrn');
    expect(first.status).toBe(200);
    expect(first.body.meta.versionId).toBe('1');
    const again = await startTestServer({ seedDefinitions: true, mongodbDatabase: database });
    try {
      const res = await again.request.get('/fhir/SearchParameter/patient-mrn/_history');
      expect(res.body.total ?? res.body.entry.length).toBe(1);
    } finally {
      await again.container.close();
    }
  });
});
