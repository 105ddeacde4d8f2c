/**
 * $registry-search filters on one license at a time: a professional type or a license number is
 * matched together with the status on the same qualification (the composite parameters
 * license-type-status and license-number-status), so someone with an active doctor license and
 * a revoked pharmacist license is an active doctor and a revoked pharmacist, never an active
 * pharmacist. The composites are also searchable on the FHIR API. A suspension's last day is
 * public; HEAD on the public operations answers as GET does, without the body.
 */
import type { Bundle, Parameters, Practitioner } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFESSIONAL_TYPE_SYSTEM, REGISTRY_PRACTITIONER_PROFILE, LICENSE_NUMBER_SYSTEM, licenseQualification, withLicense } from '../../src/domain/licensing/license';
import type { LicenseInput } from '../../src/domain/licensing/license';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;

const license = (input: Omit<LicenseInput, 'start' | 'end'>) => licenseQualification({ start: '2026-01-01', end: '2099-12-31', ...input });

function practitioner(id: string, family: string, licenses: Array<Omit<LicenseInput, 'start' | 'end'>>): Practitioner & { id: string } {
  return {
    resourceType: 'Practitioner',
    id,
    meta: { profile: [REGISTRY_PRACTITIONER_PROFILE] },
    active: true,
    name: [{ use: 'official', family, given: ['Ada'] }],
    address: [{ use: 'work', state: 'NG-LA' }],
    qualification: licenses.map(license),
  };
}

/** Family names of the professionals $registry-search lists for these inputs. */
async function listed(query: Record<string, string>): Promise<string[]> {
  const res = await server.request.get('/fhir/Practitioner/$registry-search').query(query).set('Accept', FHIR_JSON);
  expect(res.status).toBe(200);
  const bundle = res.body as Bundle<Parameters>;
  const names = (bundle.entry ?? []).map((e) => e.resource?.parameter?.find((p) => p.name === 'name')?.valueString?.split(' ').pop() ?? '');
  expect(bundle.total).toBe(names.length);
  return names.sort();
}

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true, registryPublicRateLimitPerMinute: 10_000 });
  const put = (p: Practitioner & { id: string }) => server.container.fhir.service.update('Practitioner', p.id, p as never);
  // Two licenses: an active doctor license, a revoked pharmacist license.
  await put(
    practitioner('two-licenses', 'Okafor', [
      { number: 'BAO-DOC-2026-00101', professionalType: 'doctor', status: 'active' },
      { number: 'BAO-PHARM-2026-00102', professionalType: 'pharmacist', status: 'revoked' },
    ]),
  );
  await put(practitioner('pharmacist', 'Adeyemi', [{ number: 'BAO-PHARM-2026-00103', professionalType: 'pharmacist', status: 'active' }]));
  await put(practitioner('suspended-doctor', 'Balogun', [{ number: 'BAO-DOC-2026-00104', professionalType: 'doctor', status: 'suspended' }]));
  const nurse = practitioner('suspended-nurse', 'Eze', [{ number: 'BAO-NURSE-2026-00105', professionalType: 'nurse', status: 'active' }]);
  await put({ ...withLicense(nurse, 'BAO-NURSE-2026-00105', { status: 'suspended', suspendedUntil: '2099-01-31' }), id: nurse.id });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('$registry-search matches type, number and status on the same license', () => {
  it.each([
    [{ 'professional-type': 'pharmacist', status: 'active' }, ['Adeyemi']],
    [{ 'professional-type': 'pharmacist', status: 'revoked' }, ['Okafor']],
    [{ 'professional-type': 'pharmacist' }, ['Adeyemi', 'Okafor']],
    [{ 'professional-type': 'doctor', status: 'active' }, ['Okafor']],
    [{ 'professional-type': 'doctor' }, ['Balogun', 'Okafor']],
    [{ 'professional-type': 'doctor', status: 'revoked' }, []],
    [{ status: 'revoked' }, ['Okafor']],
    [{ status: 'active' }, ['Adeyemi', 'Okafor']],
    [{ 'license-number': 'BAO-PHARM-2026-00102', status: 'active' }, []],
    [{ 'license-number': 'BAO-PHARM-2026-00102', status: 'revoked' }, ['Okafor']],
    [{ 'license-number': 'BAO-DOC-2026-00101', status: 'active' }, ['Okafor']],
    [{ 'license-number': 'BAO-DOC-2026-00104' }, ['Balogun']],
    [{ 'license-number': 'BAO-DOC-2026-00101', 'professional-type': 'pharmacist', status: 'active' }, []],
  ])('%j lists %j', async (query, expected) => {
    expect(await listed(query)).toEqual(expected);
  });
});

describe('the composite parameters on the FHIR API', () => {
  const token = () => server.container.auth.tokens.issue({ subject: 'admin', kind: 'user', role: 'admin', clientId: 'test', scope: 'user/*.cruds' }).accessToken;
  const search = async (query: Record<string, string>) => {
    const res = await server.request.get('/fhir/Practitioner').query(query).set('Authorization', `Bearer ${token()}`).set('Accept', FHIR_JSON);
    expect(res.status).toBe(200);
    return ((res.body as Bundle<Practitioner>).entry ?? []).map((e) => e.resource!.id).sort();
  };

  it('license-type-status and license-number-status match one qualification each', async () => {
    expect(await search({ 'license-type-status': `${PROFESSIONAL_TYPE_SYSTEM}|pharmacist$active` })).toEqual(['pharmacist']);
    expect(await search({ 'license-type-status': `${PROFESSIONAL_TYPE_SYSTEM}|pharmacist$revoked` })).toEqual(['two-licenses']);
    expect(await search({ 'license-type-status': 'pharmacist$active,doctor$suspended' })).toEqual(['pharmacist', 'suspended-doctor']);
    expect(await search({ 'license-number-status': `${LICENSE_NUMBER_SYSTEM}|BAO-PHARM-2026-00102$active` })).toEqual([]);
    expect(await search({ 'license-number-status': 'BAO-PHARM-2026-00102$revoked' })).toEqual(['two-licenses']);
  });
});

describe('HEAD on operations', () => {
  it('answers as GET does, without a body; a state-changing operation is refused as with GET', async () => {
    const get = await server.request.get('/fhir/Practitioner/$verify-license').query({ 'license-number': 'BAO-DOC-2026-00101' }).set('Accept', FHIR_JSON);
    const head = await server.request.head('/fhir/Practitioner/$verify-license').query({ 'license-number': 'BAO-DOC-2026-00101' }).set('Accept', FHIR_JSON);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.headers['access-control-allow-origin']).toBe('*');
    expect(head.text ?? '').toBe('');
    expect((await server.request.head('/fhir/Practitioner/$verify-license').set('Accept', FHIR_JSON)).status).toBe(400);
    const bearer = server.container.auth.tokens.issue({ subject: 'officer', kind: 'user', role: 'registry-admin', clientId: 'test', scope: 'user/*.cruds' }).accessToken;
    const refused = await server.request.get('/fhir/Practitioner/two-licenses/$suspend-license').query({ reason: 'x' }).set('Authorization', `Bearer ${bearer}`);
    const headRefused = await server.request.head('/fhir/Practitioner/two-licenses/$suspend-license').query({ reason: 'x' }).set('Authorization', `Bearer ${bearer}`);
    expect(refused.status).toBe(405);
    expect(headRefused.status).toBe(405);
  });
});

describe("a suspension's last day", () => {
  it('is shown by $verify-license and the verification page, and only while suspended', async () => {
    const verify = async (number: string) => (await server.request.get('/fhir/Practitioner/$verify-license').query({ 'license-number': number }).set('Accept', FHIR_JSON)).body as Parameters;
    const suspended = await verify('BAO-NURSE-2026-00105');
    expect(suspended.parameter).toContainEqual({ name: 'status', valueCode: 'suspended' });
    expect(suspended.parameter).toContainEqual({ name: 'valid', valueBoolean: false });
    expect(suspended.parameter).toContainEqual({ name: 'suspended-until', valueDate: '2099-01-31' });
    // Suspended without a last day, and active: no such part.
    for (const number of ['BAO-DOC-2026-00104', 'BAO-DOC-2026-00101']) expect((await verify(number)).parameter?.map((p) => p.name)).not.toContain('suspended-until');
    const page = await server.request.get('/registry/verify/BAO-NURSE-2026-00105');
    expect(page.status).toBe(200);
    expect(page.text).toContain('suspended until 2099-01-31');
  });
});
