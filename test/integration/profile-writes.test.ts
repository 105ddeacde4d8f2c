/**
 * Profile validation on write (issue 6 part 1): a resource naming one of our profiles in
 * meta.profile must meet it (422 otherwise, nothing stored); REQUIRED_PROFILES makes a profile
 * apply to every resource of a type; resources naming no known profile are not checked by profile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

const PATIENT_PROFILE = 'https://baobab.health/fhir/StructureDefinition/baobab-patient';
const MR = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };
let open: TestServer;
let strict: TestServer;

beforeAll(async () => {
  open = await startTestServer();
  strict = await startTestServer({ requiredProfiles: { Patient: [PATIENT_PROFILE] } });
});
afterAll(async () => {
  await open?.close();
  await strict?.close();
});

const patient = (extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', identifier: [{ type: MR, system: 'urn:clinic:mrn', value: 'MRN-9' }], birthDate: '1990-01-01', ...extra });
const post = (server: TestServer, body: object) => server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(body);

describe('profiles on write', () => {
  it('a resource claiming our profile must meet it', async () => {
    const claimed = { meta: { profile: [PATIENT_PROFILE] } };
    expect((await post(open, patient(claimed))).status).toBe(201);
    const bad = await post(open, patient({ ...claimed, identifier: [{ system: 'urn:ng:nin', value: '1' }], telecom: [{ system: 'email', value: 'Ada@Example.org' }] }));
    expect(bad.status).toBe(422);
    const keys = bad.body.issue.map((i: { diagnostics: string }) => i.diagnostics).join('\n');
    expect(keys).toMatch(/bao-pat-1/);
    expect(keys).toMatch(/bao-pat-4/);
    expect(bad.body.issue.every((i: { expression?: string[] }) => i.expression?.length)).toBe(true);
    // Nothing was stored by the refused write.
    const found = await open.request.get('/fhir/Patient?identifier=urn:ng:nin|1');
    expect(found.body.entry).toBeUndefined();
  });

  it('without a claimed or required profile, only the base rules apply', async () => {
    expect((await post(open, patient({ identifier: undefined, birthDate: '2999-01-01' }))).status).toBe(201);
  });

  it('REQUIRED_PROFILES applies a profile to every resource of the type, on create, update and patch', async () => {
    expect((await post(strict, patient({ birthDate: '2999-01-01' }))).status).toBe(422);
    const created = await post(strict, patient());
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const update = await strict.request.put(`/fhir/Patient/${id}`).set('Content-Type', FHIR_JSON).send({ ...patient({ telecom: [{ system: 'phone', value: '0803 123 4567' }] }), id });
    expect(update.status).toBe(422);
    const patch = await strict.request.patch(`/fhir/Patient/${id}`).set('Content-Type', 'application/json-patch+json').send([{ op: 'remove', path: '/identifier' }]);
    expect(patch.status).toBe(422);
    const read = await strict.request.get(`/fhir/Patient/${id}`);
    expect(read.body.meta.versionId).toBe('1');
  });

  it('an unknown required profile stops the server at start', async () => {
    await expect(startTestServer({ requiredProfiles: { Patient: ['https://example.org/nope'] } })).rejects.toThrow(/REQUIRED_PROFILES/);
  });
});
