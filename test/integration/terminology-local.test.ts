/**
 * Our terminology/ over HTTP: resolvable by canonical URL without being stored ($expand, $lookup,
 * $validate-code, token :below search), and with SEED_DEFINITIONS stored as resources that anyone
 * may read (stored once: a restart adds no version).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

const BASE = 'https://baobab.health/fhir';
const ISO = 'urn:iso:std:iso:3166:-2';
const SPECIALTY = `${BASE}/CodeSystem/specialty`;
const PROFESSIONAL_TYPE = `${BASE}/CodeSystem/professional-type`;

interface Parameter {
  name: string;
  valueBoolean?: boolean;
  valueString?: string;
  valueCode?: string;
  part?: Parameter[];
}

let server: TestServer;

async function get(path: string, query: Record<string, string>, on = server): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await on.request.get(path).query(query);
  return { status: res.status, body: res.body as Record<string, unknown> };
}

function param(body: Record<string, unknown>, name: string): Parameter | undefined {
  return (body.parameter as Parameter[]).find((p) => p.name === name);
}

async function expandCodes(url: string, on = server): Promise<string[]> {
  const res = await get('/fhir/ValueSet/$expand', { url }, on);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ((res.body.expansion as { contains?: Array<{ code: string }> }).contains ?? []).map((c) => c.code);
}

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('terminology/ resolved by canonical URL (not stored)', () => {
  it('ValueSet/$expand returns the codes', async () => {
    expect(await expandCodes(`${BASE}/ValueSet/license-status`)).toEqual(['active', 'suspended', 'expired', 'revoked', 'inactive']);
    expect(await expandCodes(`${BASE}/ValueSet/document-type`)).toHaveLength(19);
    expect(await expandCodes(`${BASE}/ValueSet/visit-stage`)).toEqual(['registration', 'assessment', 'consultation', 'counselling', 'closure']);
    const specialties = await expandCodes(`${BASE}/ValueSet/specialty`);
    expect(specialties).toEqual(expect.arrayContaining(['medicine', 'cardiology', 'nursing', 'orthodontics']));
    const nigeria = await expandCodes(`${BASE}/ValueSet/ng-states`);
    expect(nigeria).toHaveLength(37);
    expect(nigeria).toEqual(expect.arrayContaining(['NG-LA', 'NG-FC']));
    expect(await expandCodes(`${BASE}/ValueSet/za-provinces`)).toHaveLength(9);
    expect(await expandCodes(`${BASE}/ValueSet/au-states`)).toHaveLength(8);
    expect(await expandCodes(`${BASE}/ValueSet/us-states`)).toHaveLength(51);
    // The union of the four, through nested value sets.
    expect(await expandCodes(`${BASE}/ValueSet/jurisdictions`)).toHaveLength(37 + 9 + 8 + 51);
  });

  it('$expand with a filter and paging', async () => {
    const res = await get('/fhir/ValueSet/$expand', { url: `${BASE}/ValueSet/ng-states`, filter: 'kano', count: '5' });
    expect(res.status).toBe(200);
    expect((res.body.expansion as { contains: Array<{ code: string; system: string; display: string }> }).contains).toEqual([
      expect.objectContaining({ system: ISO, code: 'NG-KN', display: 'Kano' }),
    ]);
  });

  it('CodeSystem/$lookup on a professional type gives its license type', async () => {
    const res = await get('/fhir/CodeSystem/$lookup', { system: PROFESSIONAL_TYPE, code: 'pharmacist' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(param(res.body, 'display')?.valueString).toBe('Pharmacist');
    const licenseType = (res.body.parameter as Parameter[]).find((p) => p.name === 'property' && p.part?.some((x) => x.name === 'code' && x.valueCode === 'license-type'));
    expect(licenseType?.part).toContainEqual({ name: 'value', valueCode: 'PHARM' });
    const unknown = await get('/fhir/CodeSystem/$lookup', { system: PROFESSIONAL_TYPE, code: 'wizard' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.resourceType).toBe('OperationOutcome');
  });

  it('$validate-code accepts NG-LA and rejects NG-XX', async () => {
    const inSet = await get('/fhir/ValueSet/$validate-code', { url: `${BASE}/ValueSet/ng-states`, system: ISO, code: 'NG-LA' });
    expect(inSet.status, JSON.stringify(inSet.body)).toBe(200);
    expect(param(inSet.body, 'result')?.valueBoolean).toBe(true);
    expect(param(inSet.body, 'display')?.valueString).toBe('Lagos');
    const notInSet = await get('/fhir/ValueSet/$validate-code', { url: `${BASE}/ValueSet/ng-states`, system: ISO, code: 'NG-XX' });
    expect(notInSet.status).toBe(200);
    expect(param(notInSet.body, 'result')?.valueBoolean).toBe(false);
    // Another country's code is not a Nigerian state, though ISO has it.
    const southAfrican = await get('/fhir/ValueSet/$validate-code', { url: `${BASE}/ValueSet/ng-states`, system: ISO, code: 'ZA-GP' });
    expect(param(southAfrican.body, 'result')?.valueBoolean).toBe(false);
    const inSystem = await get('/fhir/CodeSystem/$validate-code', { url: ISO, code: 'NG-LA' });
    expect(param(inSystem.body, 'result')?.valueBoolean).toBe(true);
    const notInSystem = await get('/fhir/CodeSystem/$validate-code', { url: ISO, code: 'NG-XX' });
    expect(param(notInSystem.body, 'result')?.valueBoolean).toBe(false);
    const licenseStatus = await get('/fhir/CodeSystem/$validate-code', { url: `${BASE}/CodeSystem/license-status`, code: 'lapsed' });
    expect(param(licenseStatus.body, 'result')?.valueBoolean).toBe(false);
  });

  it('PractitionerRole?specialty:below searches the specialisation hierarchy', async () => {
    const role = async (code: string): Promise<string> => {
      const res = await server.request
        .post('/fhir/PractitionerRole')
        .set('Content-Type', FHIR_JSON)
        .send({ resourceType: 'PractitionerRole', active: true, specialty: [{ coding: [{ system: SPECIALTY, code }] }] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const cardiologist = await role('cardiology');
    const orthodontist = await role('orthodontics');
    const ids = async (query: string): Promise<string[]> => {
      const res = await server.request.get(`/fhir/PractitionerRole?${query}`).set('Prefer', 'handling=strict');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return ((res.body.entry ?? []) as Array<{ resource: { id: string } }>).map((e) => e.resource.id);
    };
    expect(await ids(`specialty:below=${SPECIALTY}|medicine`)).toEqual([cardiologist]);
    expect(await ids(`specialty:below=${SPECIALTY}|internal-medicine`)).toEqual([cardiologist]);
    expect(await ids(`specialty:below=${SPECIALTY}|dentistry`)).toEqual([orthodontist]);
    expect(await ids(`specialty:below=${SPECIALTY}|surgery`)).toEqual([]);
    expect((await ids(`specialty:in=${BASE}/ValueSet/specialty`)).sort()).toEqual([cardiologist, orthodontist].sort());
  });
});

describe('terminology/ stored with SEED_DEFINITIONS', () => {
  const database = `t_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  let seeded: TestServer;
  beforeAll(async () => {
    // With authentication on: terminology is readable without a token.
    seeded = await startTestServer({ seedDefinitions: true, authEnabled: true, mongodbDatabase: database });
  }, 120_000);
  afterAll(async () => {
    await seeded?.close();
  });

  it('GET CodeSystem?url= and ValueSet?url= find them, without a token', async () => {
    const cs = await seeded.request.get('/fhir/CodeSystem').query({ url: PROFESSIONAL_TYPE });
    expect(cs.status, JSON.stringify(cs.body)).toBe(200);
    expect(cs.body.entry).toHaveLength(1);
    expect(cs.body.entry[0].resource).toMatchObject({ resourceType: 'CodeSystem', id: 'professional-type', url: PROFESSIONAL_TYPE });
    const iso = await seeded.request.get('/fhir/CodeSystem').query({ url: ISO });
    expect(iso.body.entry?.[0]?.resource.id).toBe('iso-3166-2');
    const vs = await seeded.request.get('/fhir/ValueSet/ng-states');
    expect(vs.status).toBe(200);
    expect(await expandCodes(`${BASE}/ValueSet/ng-states`, seeded)).toHaveLength(37);
  });

  it('NamingSystems are served and searchable by their uri', async () => {
    const res = await seeded.request.get('/fhir/NamingSystem').query({ value: 'http://ns.electronichealth.net.au/id/hi/ihi/1.0' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['au-ihi']);
    const nin = await seeded.request.get('/fhir/NamingSystem/ng-nin');
    expect(nin.body.uniqueId).toEqual([{ type: 'uri', value: `${BASE}/sid/ng-nin`, preferred: true }]);
  });

  it('a restart on the same database adds no version', async () => {
    const again = await startTestServer({ seedDefinitions: true, mongodbDatabase: database });
    try {
      const res = await again.request.get('/fhir/CodeSystem/specialty/_history');
      expect(res.body.total ?? res.body.entry.length).toBe(1);
    } finally {
      await again.container.close();
    }
  }, 120_000);
});
