/**
 * The public registry (issue 7): $verify-license, $registry-search and $registry-statistics
 * answered to anonymous callers with authentication ON, the /registry pages and the widget, the
 * rate limit, and above all that no private data ever comes out (birth date, other identifiers,
 * contacts not opted in, home address, private disciplinary actions). Fixtures are stored
 * directly through the service as the server itself, independent of the application workflow.
 */
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import type { Basic, Bundle, Parameters, ParametersParameter, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LicenseInput } from '../../src/domain/licensing/license';
import {
  DISCIPLINARY_ACTION_PROFILE,
  DISCIPLINARY_ACTION_TYPE_SYSTEM,
  REGISTRY_ORGANIZATION_REFERENCE,
  REGISTRY_PRACTITIONER_PROFILE,
  REGISTRY_RECORD_SYSTEM,
  SPECIALTY_SYSTEM,
  licenseQualification,
} from '../../src/domain/licensing/license';
import { PUBLIC_CONTACT_EXTENSION } from '../../src/domain/licensing/public/public-view';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const SD = 'https://baobab.health/fhir/StructureDefinition';
const SECRET = ['1980-02-03', '12345678901', 'MDCN/9999', '+2348000000000', '12 Secret Street', 'NG-KN', 'SECRET-private-matter'];

interface Fixture {
  id: string;
  family: string;
  given?: string;
  license?: Omit<LicenseInput, 'start' | 'end'> & { start?: string; end?: string };
  state?: string;
  specialty?: string;
  publicEmail?: string;
}

function practitioner(f: Fixture): Practitioner & { id: string } {
  return {
    resourceType: 'Practitioner',
    id: f.id,
    meta: { profile: [REGISTRY_PRACTITIONER_PROFILE] },
    active: true,
    identifier: [
      { system: 'https://baobab.health/fhir/sid/ng-nin', value: '12345678901' },
      { system: 'https://baobab.health/fhir/sid/ng-mdcn', value: 'MDCN/9999' },
    ],
    name: [{ use: 'official', family: f.family, given: [f.given ?? 'Ada'] }, { use: 'nickname', text: 'Secret Nick' }],
    birthDate: '1980-02-03',
    telecom: [
      { system: 'phone', value: '+2348000000000', use: 'mobile' },
      ...(f.publicEmail ? [{ system: 'email' as const, value: f.publicEmail, use: 'work' as const, extension: [{ url: PUBLIC_CONTACT_EXTENSION, valueBoolean: true }] }] : []),
      { system: 'email', value: 'private@example.org', extension: [{ url: PUBLIC_CONTACT_EXTENSION, valueBoolean: false }] },
    ],
    address: [
      { use: 'home', line: ['12 Secret Street'], city: 'Kano', state: 'NG-KN' },
      ...(f.state ? [{ use: 'work' as const, line: ['General Hospital'], state: f.state }] : []),
    ],
    ...(f.license ? { qualification: [licenseQualification({ start: '2026-01-01', end: '2099-12-31', ...f.license })] } : {}),
  };
}

function role(id: string, practitionerId: string, specialty: string): PractitionerRole & { id: string } {
  return {
    resourceType: 'PractitionerRole',
    id,
    active: true,
    practitioner: { reference: `Practitioner/${practitionerId}` },
    organization: { reference: REGISTRY_ORGANIZATION_REFERENCE },
    specialty: [{ coding: [{ system: SPECIALTY_SYSTEM, code: specialty }] }],
  };
}

function disciplinary(id: string, practitionerId: string, isPublic: boolean, type: string, summary: string, created: string): Basic & { id: string } {
  return {
    resourceType: 'Basic',
    id,
    meta: { profile: [DISCIPLINARY_ACTION_PROFILE] },
    code: { coding: [{ system: REGISTRY_RECORD_SYSTEM, code: 'disciplinary-action' }] },
    subject: { reference: `Practitioner/${practitionerId}` },
    created,
    author: { reference: 'Practitioner/officer-secret' },
    extension: [
      { url: `${SD}/disciplinary-action-type`, valueCodeableConcept: { coding: [{ system: DISCIPLINARY_ACTION_TYPE_SYSTEM, code: type }] } },
      { url: `${SD}/disciplinary-summary`, valueString: summary },
      { url: `${SD}/disciplinary-public`, valueBoolean: isPublic },
    ],
  };
}

const XSS = '<script>alert("x")</script>';
const FIXTURES: Fixture[] = [
  { id: 'valid', family: 'Obi', given: 'Ada', license: { number: 'BAO-DOC-2026-00001', professionalType: 'doctor', status: 'active' }, state: 'NG-LA', specialty: 'medicine', publicEmail: 'dr.obi@hospital.example' },
  { id: 'suspended', family: 'Bello', license: { number: 'BAO-NURSE-2026-00002', professionalType: 'nurse', status: 'suspended' }, state: 'NG-AB', specialty: 'nursing' },
  { id: 'expired', family: 'Chukwu', license: { number: 'BAO-PHARM-2024-00003', professionalType: 'pharmacist', status: 'active', start: '2024-01-01', end: '2025-01-01' }, state: 'NG-LA' },
  { id: 'revoked', family: 'Danjuma', license: { number: 'BAO-DENT-2026-00004', professionalType: 'dentist', status: 'revoked' }, state: 'NG-OY' },
  { id: 'xss', family: XSS, given: 'Eve', license: { number: 'BAO-DOC-2026-00005', professionalType: 'doctor', status: 'active' }, state: 'NG-LA' },
  { id: 'mid1', family: 'Fashola', license: { number: 'BAO-MIDW-2026-00006', professionalType: 'midwife', status: 'active' }, state: 'NG-OY', specialty: 'midwifery' },
  { id: 'mid2', family: 'Gowon', license: { number: 'BAO-MIDW-2026-00007', professionalType: 'midwife', status: 'active' }, state: 'NG-OY', specialty: 'midwifery' },
  { id: 'mid3', family: 'Hassan', license: { number: 'BAO-MIDW-2026-00008', professionalType: 'midwife', status: 'active' }, state: 'NG-OY', specialty: 'midwifery' },
  { id: 'unlicensed', family: 'Obi', given: 'Applicant' },
];

async function seed(target: TestServer): Promise<void> {
  const put = (r: { resourceType: string; id: string }) => target.container.fhir.service.update(r.resourceType, r.id, r as never);
  for (const f of FIXTURES) {
    await put(practitioner(f));
    if (f.specialty) await put(role(`role-${f.id}`, f.id, f.specialty));
  }
  await put(disciplinary('disc-public', 'valid', true, 'warning', 'Late renewal of indemnity', '2026-03-01'));
  await put(disciplinary('disc-private', 'valid', false, 'reprimand', 'SECRET-private-matter', '2026-04-01'));
}

const param = (p: Parameters | undefined, name: string): ParametersParameter | undefined => p?.parameter?.find((x) => x.name === name);
const params = (p: Parameters | undefined, name: string): ParametersParameter[] => p?.parameter?.filter((x) => x.name === name) ?? [];

function expectNoPrivateData(body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  for (const secret of SECRET) expect(text).not.toContain(secret);
  for (const word of ['birthDate', 'private@example.org', 'Secret Nick', 'officer-secret', 'ng-nin', 'ng-mdcn']) expect(text).not.toContain(word);
}

const verify = (number: string) => server.request.get('/fhir/Practitioner/$verify-license').query({ 'license-number': number }).set('Accept', FHIR_JSON);

beforeAll(async () => {
  // A high limit: this file alone makes more public requests than the default allows per minute.
  server = await startTestServer({ authEnabled: true, registryPublicRateLimitPerMinute: 10_000 });
  await seed(server);
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('$verify-license (anonymous, auth on)', () => {
  it('a valid license: valid true with the public details and public disciplinary actions only', async () => {
    const res = await verify('BAO-DOC-2026-00001');
    expect(res.status).toBe(200);
    const body = res.body as Parameters;
    expect(body.resourceType).toBe('Parameters');
    expect(param(body, 'valid')?.valueBoolean).toBe(true);
    expect(param(body, 'license-number')?.valueString).toBe('BAO-DOC-2026-00001');
    expect(param(body, 'status')?.valueCode).toBe('active');
    expect(param(body, 'name')?.valueString).toBe('Ada Obi');
    expect(param(body, 'professional-type')?.valueCoding).toMatchObject({ code: 'doctor', display: 'Medical doctor' });
    expect(param(body, 'specialization')?.valueCoding).toMatchObject({ code: 'medicine' });
    expect(param(body, 'state')?.valueCoding).toMatchObject({ code: 'NG-LA', display: 'Lagos' });
    expect(param(body, 'issued')?.valueDate).toBe('2026-01-01');
    expect(param(body, 'expires')?.valueDate).toBe('2099-12-31');
    const actions = params(body, 'disciplinary-action');
    expect(actions).toHaveLength(1);
    expect(actions[0]!.part?.find((p) => p.name === 'summary')?.valueString).toBe('Late renewal of indemnity');
    expect(actions[0]!.part?.find((p) => p.name === 'action')?.valueCodeableConcept?.coding?.[0]?.code).toBe('warning');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expectNoPrivateData(res.body);
    // Opted-in contacts are for the search listing; verification never shows telecom at all.
    expect(JSON.stringify(res.body)).not.toContain('telecom');
  });

  it.each([
    ['suspended', 'BAO-NURSE-2026-00002', 'suspended'],
    ['expired (end date in the past, still marked active)', 'BAO-PHARM-2024-00003', 'expired'],
    ['revoked', 'BAO-DENT-2026-00004', 'revoked'],
  ])('a %s license: valid false with its status', async (_label, number, status) => {
    const res = await verify(number);
    expect(res.status).toBe(200);
    expect(param(res.body as Parameters, 'valid')?.valueBoolean).toBe(false);
    expect(param(res.body as Parameters, 'status')?.valueCode).toBe(status);
    expectNoPrivateData(res.body);
  });

  it.each(['BAO-DOC-2026-99999', '{"$gt":""}', '.*', 'BAO-DOC-2026-00001,BAO-DENT-2026-00004', 'MDCN/9999', '12345678901'])(
    'an unknown number (%s): 200 with valid false and nothing else',
    async (number) => {
      const res = await verify(number);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'valid', valueBoolean: false }] });
    },
  );

  it('POST with a Parameters body works anonymously too', async () => {
    const res = await server.request
      .post('/fhir/Practitioner/$verify-license')
      .set('Content-Type', FHIR_JSON)
      .set('Accept', FHIR_JSON)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'license-number', valueString: 'BAO-DOC-2026-00001' }] });
    expect(res.status).toBe(200);
    expect(param(res.body as Parameters, 'valid')?.valueBoolean).toBe(true);
  });

  it('a missing or empty license-number is a 400 OperationOutcome; unknown parameters too', async () => {
    for (const query of [{}, { 'license-number': '' }, { 'license-number': 'x', other: '1' }]) {
      const res = await server.request.get('/fhir/Practitioner/$verify-license').query(query).set('Accept', FHIR_JSON);
      expect(res.status).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('answers CORS preflight for any origin', async () => {
    const res = await server.request.options('/fhir/Practitioner/$verify-license').set('Origin', 'https://clinic.example').set('Access-Control-Request-Method', 'GET');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('ordinary FHIR access stays closed to anonymous callers', () => {
  it('reads and searches of Practitioner, PractitionerRole and Basic are 401', async () => {
    for (const path of ['/fhir/Practitioner/valid', '/fhir/Practitioner?name=Obi', '/fhir/PractitionerRole', '/fhir/Basic/disc-private', '/fhir/Practitioner/valid/$everything']) {
      const res = await server.request.get(path).set('Accept', FHIR_JSON);
      expect(res.status, path).toBe(401);
      expect(res.headers['access-control-allow-origin'], path).toBeUndefined();
    }
  });

  it('other methods on the public operation paths are not public', async () => {
    const res = await server.request.put('/fhir/Practitioner/$verify-license').set('Content-Type', FHIR_JSON).send({ resourceType: 'Parameters' });
    expect(res.status).toBe(401);
  });
});

const search = (query: Record<string, string>) => server.request.get('/fhir/Practitioner/$registry-search').query(query).set('Accept', FHIR_JSON);

function numbersIn(bundle: Bundle): string[] {
  return (bundle.entry ?? []).flatMap((e) => params(e.resource as Parameters, 'license').map((l) => l.part?.find((p) => p.name === 'license-number')?.valueString ?? ''));
}

describe('$registry-search (anonymous, auth on)', () => {
  it('lists every licensed professional as public views (Parameters), never an unlicensed one', async () => {
    const res = await search({});
    expect(res.status).toBe(200);
    const bundle = res.body as Bundle;
    expect(bundle.type).toBe('searchset');
    expect(bundle.total).toBe(8);
    expect(bundle.entry).toHaveLength(8);
    expect(bundle.entry!.every((e) => e.resource?.resourceType === 'Parameters' && e.search?.mode === 'match' && !e.fullUrl)).toBe(true);
    expect(JSON.stringify(bundle)).not.toContain('Applicant');
    // Sorted by family name.
    expect(bundle.entry!.map((e) => param(e.resource as Parameters, 'name')?.valueString)).toEqual([
      `Eve ${XSS}`, 'Ada Bello', 'Ada Chukwu', 'Ada Danjuma', 'Ada Fashola', 'Ada Gowon', 'Ada Hassan', 'Ada Obi',
    ]);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expectNoPrivateData(res.body);
  });

  it('shows a contact only where the professional opted in', async () => {
    const res = await search({ name: 'obi' });
    expect(res.status).toBe(200);
    const entry = (res.body as Bundle).entry?.[0]?.resource as Parameters;
    expect((res.body as Bundle).total).toBe(1);
    expect(params(entry, 'contact').map((c) => c.valueContactPoint)).toEqual([{ system: 'email', value: 'dr.obi@hospital.example', use: 'work' }]);
    expect(param(entry, 'state')?.valueCoding?.code).toBe('NG-LA');
    expect(param(entry, 'specialization')?.valueCoding?.code).toBe('medicine');
    const license = param(entry, 'license')!.part!;
    expect(license.find((p) => p.name === 'status')?.valueCode).toBe('active');
    expect(license.find((p) => p.name === 'valid')?.valueBoolean).toBe(true);
    expectNoPrivateData(res.body);
    // Others did not opt in: no contact at all.
    const bello = ((await search({ name: 'bello' })).body as Bundle).entry?.[0]?.resource as Parameters;
    expect(params(bello, 'contact')).toHaveLength(0);
  });

  it.each([
    [{ name: 'ada obi' }, ['BAO-DOC-2026-00001']],
    [{ name: 'Danj' }, ['BAO-DENT-2026-00004']],
    [{ 'license-number': 'BAO-NURSE-2026-00002' }, ['BAO-NURSE-2026-00002']],
    [{ 'professional-type': 'midwife' }, ['BAO-MIDW-2026-00006', 'BAO-MIDW-2026-00007', 'BAO-MIDW-2026-00008']],
    [{ 'professional-type': 'doctor', state: 'NG-LA' }, ['BAO-DOC-2026-00001', 'BAO-DOC-2026-00005']],
    [{ specialization: 'nursing' }, ['BAO-NURSE-2026-00002']],
    [{ state: 'NG-AB' }, ['BAO-NURSE-2026-00002']],
    [{ state: 'NG-KN' }, []],
    [{ status: 'revoked' }, ['BAO-DENT-2026-00004']],
    [{ status: 'suspended', 'professional-type': 'nurse' }, ['BAO-NURSE-2026-00002']],
    [{ name: '{"$gt":""}' }, []],
    [{ name: '.*' }, []],
    [{ name: 'O.i' }, []],
    [{ name: 'a,b|c$d\\' }, []],
    [{ 'license-number': '{"$gt":""}' }, []],
  ])('%j → %j', async (query, expected) => {
    const res = await search(query as Record<string, string>);
    expect(res.status).toBe(200);
    expect(numbersIn(res.body as Bundle).sort()).toEqual(expected);
    expect((res.body as Bundle).total).toBe(expected.length);
  });

  it('pages with _count: total, self/first/next links, each professional exactly once', async () => {
    const seen: string[] = [];
    let res = await search({ 'professional-type': 'midwife', _count: '2' });
    expect(res.status).toBe(200);
    let bundle = res.body as Bundle;
    expect(bundle.total).toBe(3);
    expect(bundle.entry).toHaveLength(2);
    expect(bundle.link?.map((l) => l.relation)).toEqual(['self', 'first', 'next']);
    seen.push(...numbersIn(bundle));
    const next = new URL(bundle.link!.find((l) => l.relation === 'next')!.url!);
    expect(next.pathname).toBe('/fhir/Practitioner/$registry-search');
    res = await server.request.get(`/fhir/Practitioner/$registry-search${next.search}`).set('Accept', FHIR_JSON);
    expect(res.status).toBe(200);
    bundle = res.body as Bundle;
    expect(bundle.entry).toHaveLength(1);
    expect(bundle.link?.find((l) => l.relation === 'next')).toBeUndefined();
    seen.push(...numbersIn(bundle));
    expect(seen.sort()).toEqual(['BAO-MIDW-2026-00006', 'BAO-MIDW-2026-00007', 'BAO-MIDW-2026-00008']);
  });

  it('bad input is a 400 OperationOutcome, never a 500', async () => {
    const queries: Array<Record<string, string>> = [
      { 'professional-type': 'wizard' },
      { specialization: '{"$gt":""}' },
      { state: 'XX-YY' },
      { status: 'maybe' },
      { _count: '0' },
      { _count: 'abc' },
      { _page: 'not-a-position' },
      { _page: '{"$where":"1"}' },
      { name: 'x'.repeat(200) },
      { unknown: '1' },
    ];
    for (const query of queries) {
      const res = await search(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
  });
});

describe('$registry-statistics (anonymous, auth on)', () => {
  it('counts valid licenses by professional type and state, and every license by status', async () => {
    const res = await server.request.get('/fhir/$registry-statistics').set('Accept', FHIR_JSON);
    expect(res.status).toBe(200);
    const body = res.body as Parameters;
    expect(param(body, 'active')?.valueInteger).toBe(5);
    const group = (name: string, key: string) =>
      Object.fromEntries(params(body, name).map((g) => {
        const k = g.part!.find((p) => p.name === key)!;
        return [k.valueCoding?.code ?? k.valueCode, g.part!.find((p) => p.name === 'count')!.valueInteger];
      }));
    expect(group('by-professional-type', 'professional-type')).toEqual({ doctor: 2, midwife: 3 });
    expect(group('by-state', 'state')).toEqual({ 'NG-LA': 2, 'NG-OY': 3 });
    expect(group('by-status', 'status')).toEqual({ active: 5, suspended: 1, expired: 1, revoked: 1, inactive: 0 });
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('the /registry pages (anonymous, auth on)', () => {
  const get = (path: string) => server.request.get(path);

  it('the search form: HTML with a CSP that allows no script', async () => {
    const res = await get('/registry');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toContain('script-src');
    expect(res.text).toContain('<form class="search" method="get" action="/registry"');
    expect(res.text).toContain('<option value="midwife">Midwife</option>');
    expect(res.text).not.toMatch(/<script|style=/);
  });

  it('search results: public details, links to the verify page, nothing private', async () => {
    const res = await get('/registry?name=obi');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Ada Obi');
    expect(res.text).toContain('href="/registry/verify/BAO-DOC-2026-00001"');
    expect(res.text).toContain('dr.obi@hospital.example');
    expect(res.text).toContain('1 registered professional found');
    // The form lists every state as a choice: look at the results only.
    expectNoPrivateData(res.text.split('</form>')[1]);
  });

  it('escapes a <script> in a stored name and in the query', async () => {
    const stored = await get('/registry?state=NG-LA&professional-type=doctor');
    expect(stored.status).toBe(200);
    expect(stored.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(stored.text).not.toContain(XSS);
    const echoed = await get(`/registry?name=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(echoed.status).toBe(200);
    expect(echoed.text).not.toContain('<script>alert(1)');
    expect(echoed.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    const refused = await get(`/registry?professional-type=${encodeURIComponent('<script>x</script>')}`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('class="error"');
    expect(refused.text).not.toContain('<script>x');
  });

  it('pages through results with a next link', async () => {
    const res = await get('/registry?professional-type=midwife&count=2');
    expect(res.status).toBe(200);
    expect(res.text).toContain('3 registered professionals found');
    const next = /<a rel="next" href="([^"]+)">/.exec(res.text)?.[1];
    expect(next).toBeDefined();
    const second = await get(next!.replace(/&amp;/g, '&'));
    expect(second.status).toBe(200);
    expect(second.text).toContain('BAO-MIDW-2026-00008');
    expect(second.text).not.toContain('BAO-MIDW-2026-00006');
    expect(second.text).not.toContain('rel="next"');
  });

  it('the verify page: a VALID badge with the public details and public disciplinary record', async () => {
    const res = await get('/registry/verify/BAO-DOC-2026-00001');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<span class="badge valid">VALID</span>');
    expect(res.text).toContain('Ada Obi');
    expect(res.text).toContain('Medical doctor');
    expect(res.text).toContain('Lagos');
    expect(res.text).toContain('Late renewal of indemnity');
    expect(res.text).toContain('&lt;script src=&quot;http://localhost:8080/registry/widget.js&quot; data-license-number=&quot;BAO-DOC-2026-00001&quot;&gt;&lt;/script&gt;');
    expect(res.text).not.toContain('dr.obi@hospital.example');
    expectNoPrivateData(res.text);
  });

  it.each([
    ['BAO-NURSE-2026-00002', 'suspended'],
    ['BAO-PHARM-2024-00003', 'expired'],
    ['BAO-DENT-2026-00004', 'revoked'],
  ])('the verify page of %s: NOT VALID (%s)', async (number, status) => {
    const res = await get(`/registry/verify/${number}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<span class="badge not-valid">NOT VALID</span>');
    expect(res.text).toContain(`<dd class="status">${status}</dd>`);
  });

  it('an unknown number: a 404 NOT VALID page, the number escaped', async () => {
    const res = await get(`/registry/verify/${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('NOT VALID');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>alert(1)');
  });

  it('serves the widget as JavaScript, loadable cross-origin, and the stylesheet', async () => {
    const widget = await get('/registry/widget.js');
    expect(widget.status).toBe(200);
    expect(widget.headers['content-type']).toMatch(/^application\/javascript/);
    expect(widget.text).toContain('$verify-license?license-number=');
    expect(widget.text).toContain('data-license-number');
    expect(widget.text).toContain('textContent');
    expect(widget.text).not.toContain('innerHTML');
    const css = await get('/registry/registry.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });
});

describe('rate limit (per client IP, shared by the operations and the pages)', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ authEnabled: true, registryPublicRateLimitPerMinute: 3 });
  }, 60_000);
  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 with Retry-After past the limit: an OperationOutcome for operations, a page for pages', async () => {
    const ok = [
      await limited.request.get('/fhir/Practitioner/$verify-license?license-number=X-1').set('Accept', FHIR_JSON),
      await limited.request.get('/fhir/$registry-statistics').set('Accept', FHIR_JSON),
      await limited.request.get('/registry/verify/X-1'),
    ];
    expect(ok.map((r) => r.status)).toEqual([200, 200, 404]);
    const refused = await limited.request.get('/fhir/Practitioner/$registry-search').set('Accept', FHIR_JSON);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    expect(refused.body.issue[0].code).toBe('throttled');
    expect(refused.headers['access-control-allow-origin']).toBe('*');
    const page = await limited.request.get('/registry');
    expect(page.status).toBe(429);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['retry-after']).toBeDefined();
    // The rest of the API is not counted here.
    expect((await limited.request.get('/fhir/metadata').set('Accept', FHIR_JSON)).status).toBe(200);
  });
});

/** A minimal DOM for widget.js: the script tag, the badge it inserts, and a fetch that must pass CORS. */
async function runWidget(origin: string, licenseNumber: string): Promise<{ text: string; valid: string | undefined; href: string }> {
  const badge: Record<string, unknown> & { style: Record<string, string>; attributes: Record<string, string> } = { style: {}, attributes: {} };
  Object.assign(badge, {
    setAttribute: (n: string, v: string) => (badge.attributes[n] = v),
    removeAttribute: (n: string) => delete badge.attributes[n],
  });
  let inserted = false;
  const script = {
    src: `${origin}/registry/widget.js`,
    getAttribute: (name: string) => (name === 'data-license-number' ? licenseNumber : null),
    nextSibling: null,
    parentNode: { insertBefore: () => (inserted = true) },
  };
  const pending: Array<Promise<unknown>> = [];
  const crossOriginFetch = (url: string, init: RequestInit) => {
    const call = fetch(url, init).then((response) => {
      // What a browser on another origin enforces: no Access-Control-Allow-Origin, no access.
      if (response.headers.get('access-control-allow-origin') !== '*') throw new TypeError('CORS');
      return response;
    });
    pending.push(call.catch(() => undefined));
    return call;
  };
  const code = (await (await fetch(`${origin}/registry/widget.js`)).text()) as string;
  runInNewContext(code, { document: { currentScript: script, baseURI: 'https://clinic.example/', createElement: () => badge }, fetch: crossOriginFetch, URL, encodeURIComponent });
  expect(inserted).toBe(true);
  await Promise.all(pending);
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { text: String(badge.textContent), valid: badge.attributes['data-valid'], href: String(badge.href) };
}

describe('the embeddable widget against the running server', () => {
  let origin: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const listening = server.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    origin = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => listening.close(() => resolve()));
  });
  afterAll(async () => {
    await close?.();
  });

  it('renders a VALID badge for a valid license, linking to the verify page', async () => {
    const badge = await runWidget(origin, 'BAO-DOC-2026-00001');
    expect(badge.valid).toBe('true');
    expect(badge.text).toBe('VALID · BAO-DOC-2026-00001 · Ada Obi');
    expect(badge.href).toBe(`${origin}/registry/verify/BAO-DOC-2026-00001`);
  });

  it('renders NOT VALID with the status for a suspended license, and for an unknown number', async () => {
    expect(await runWidget(origin, 'BAO-NURSE-2026-00002')).toMatchObject({ valid: 'false', text: 'NOT VALID · BAO-NURSE-2026-00002 · Ada Bello (suspended)' });
    expect(await runWidget(origin, 'NOPE-1')).toMatchObject({ valid: 'false', text: 'NOT VALID · NOPE-1' });
  });
});

describe('callers with a token', () => {
  it('any signed-in role gets the same public view; a bad token is refused', async () => {
    const token = server.container.auth.tokens.issue({ subject: 'Patient/x', kind: 'user', role: 'patient', clientId: 'test', scope: 'patient/*.rs', fhirUser: 'Patient/x', patient: 'x' }).accessToken;
    const res = await verify('BAO-DOC-2026-00001').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(param(res.body as Parameters, 'valid')?.valueBoolean).toBe(true);
    expectNoPrivateData(res.body);
    expect((await verify('BAO-DOC-2026-00001').set('Authorization', 'Bearer not-a-token')).status).toBe(401);
  });
});

describe('odd requests never give a 500', () => {
  it.each([
    ['/registry/verify/%E0%A4%A', [400]],
    ['/registry?page=garbage', [400]],
    ['/registry?name=a&name=b', [200]],
    ['/registry?count=0', [200]],
    [`/registry?name=${'%F0%9F%98%80'.repeat(50)}`, [200]],
    ['/fhir/Practitioner/%24verify-license?license-number=BAO-DOC-2026-00001', [200]],
    ['/fhir/Practitioner/$verify-license?license-number=a&license-number=b', [400]],
    [`/fhir/Practitioner/$verify-license?license-number=${'9'.repeat(5000)}`, [400]],
    ['/fhir/Practitioner/$registry-search?_count=9999999999', [200]],
    ['/fhir/Practitioner/$registry-search?_count=99999999999', [400]],
    ['/fhir/Practitioner/$registry-search?name=%00%01', [200]],
    ['/fhir/$registry-statistics?x=1', [400]],
  ])('%s', async (path, statuses) => {
    const res = await server.request.get(path).set('Accept', path.startsWith('/fhir') ? FHIR_JSON : 'text/html');
    expect(statuses, `${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
  });

  it('POST $registry-search with a Parameters body', async () => {
    const res = await server.request
      .post('/fhir/Practitioner/$registry-search')
      .set('Content-Type', FHIR_JSON)
      .set('Accept', FHIR_JSON)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'professional-type', valueCode: 'midwife' }, { name: '_count', valueInteger: 1 }] });
    expect(res.status).toBe(200);
    expect((res.body as Bundle).total).toBe(3);
    expect((res.body as Bundle).entry).toHaveLength(1);
  });
});
