/**
 * The license application workflow over real HTTP, MongoDB and Redis (issue 7, "The workflow"
 * 1-5): an applicant registers (email verification) and gets its own inactive Practitioner,
 * applies (a draft Task), uploads documents (Binary + DocumentReference linked by
 * context.related), submits (refused with one issue per missing or expired document), an officer
 * reviews, verifies (a rejected document blocks approval), approves (license number, qualification,
 * active Practitioner, PractitionerRole, completed Task, Provenance) or rejects; who may do what;
 * and 20 parallel approvals numbered 00001..00020 with no gap after a failed one.
 */
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/auth/auth-context';
import { DOCUMENT_TYPE_SYSTEM, LICENSE_NUMBER_SYSTEM, REGISTRY_ORGANIZATION_REFERENCE, REGISTRY_PRACTITIONER_PROFILE } from '../../src/domain/licensing/license';
import { requiredDocuments } from '../../src/domain/licensing/application/required-documents';
import { startJongodb } from '../../src/store/mongo/engine';
import { MongoLicenseNumberStore } from '../../src/store/mongo/license-number-store';
import { Mailbox } from '../helpers/mailbox';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

const BASE = 'https://baobab.health/fhir';
const ADMIN = { email: 'root@registry.test', password: 'Admin-Password-1' };
const YEAR = new Date().getUTCFullYear();
const mailbox = new Mailbox();
let server: TestServer;
let officer: string;

const ref = (reference: string) => ({ reference });
const issued = (subject: string, role: Role, fhirUser?: string) =>
  server.container.auth.tokens.issue({ subject, kind: 'user', role, clientId: 'test', scope: 'user/*.cruds', ...(fhirUser ? { fhirUser } : {}) }).accessToken;

function call(token: string, method: 'get' | 'post' | 'put', path: string, body?: object) {
  const req = server.request[method](`/fhir/${path}`).set('Authorization', `Bearer ${token}`).set('Accept', FHIR_JSON);
  return body ? req.set('Content-Type', FHIR_JSON).send(body) : req;
}
const op = (token: string, path: string, params: Record<string, string> = {}) =>
  call(token, 'post', path, { resourceType: 'Parameters', parameter: Object.entries(params).map(([name, value]) => ({ name, [name === 'result' ? 'valueCode' : 'valueString']: value })) });
const diagnostics = (body: { issue?: Array<{ diagnostics?: string }> }) => (body.issue ?? []).map((i) => i.diagnostics ?? '');

function application(practitioner: string, type: string) {
  const input = (code: string, value: object) => ({ type: { coding: [{ system: `${BASE}/CodeSystem/application-input`, code }] }, ...value });
  return {
    resourceType: 'Task',
    status: 'draft',
    intent: 'order',
    code: { coding: [{ system: `${BASE}/CodeSystem/registry-task`, code: 'license-application' }] },
    focus: ref(practitioner),
    input: [
      input('professional-type', { valueCodeableConcept: { coding: [{ system: `${BASE}/CodeSystem/professional-type`, code: type }] } }),
      input('specialization', { valueCodeableConcept: { coding: [{ system: `${BASE}/CodeSystem/specialty`, code: 'cardiology' }] } }),
      input('council-registration', { valueIdentifier: { system: 'https://mdcn.gov.ng/registration', value: `MDCN-${practitioner.slice(-6)}` } }),
      input('state-of-practice', { valueCodeableConcept: { coding: [{ system: 'urn:iso:std:iso:3166:-2', code: 'NG-LA' }] } }),
    ],
  };
}

function documentOf(practitioner: string, task: string, type: string, binary: string, expires = `${YEAR + 5}-01-01`) {
  return {
    resourceType: 'DocumentReference',
    status: 'current',
    masterIdentifier: { value: `${type}-no-1` },
    type: { coding: [{ system: DOCUMENT_TYPE_SYSTEM, code: type }] },
    subject: ref(practitioner),
    authenticator: { display: 'Issuing authority' },
    content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${binary}`, title: type } }],
    context: { related: [ref(`Task/${task}`)], period: { end: expires } },
  };
}

/** Uploads one document as the applicant (Binary first, its securityContext the Practitioner); its id. */
async function upload(token: string, practitioner: string, task: string, type: string, expires?: string): Promise<string> {
  const binary = await call(token, 'post', 'Binary', { resourceType: 'Binary', contentType: 'application/pdf', securityContext: ref(practitioner), data: Buffer.from(`%PDF ${type}`).toString('base64') });
  expect(binary.status).toBe(201);
  const doc = await call(token, 'post', 'DocumentReference', documentOf(practitioner, task, type, binary.body.id, expires));
  expect(doc.status).toBe(201);
  return doc.body.id as string;
}

async function registerApplicant(email: string, name: string): Promise<{ token: string; practitioner: string }> {
  expect((await server.request.post('/auth/register').send({ email, password: 'Applicant-Pass-1', name, accountType: 'applicant' })).status).toBe(202);
  const link = Mailbox.link(await mailbox.waitFor(email), '/auth/verify-email');
  expect((await server.request.get(`${link.pathname}${link.search}`)).status).toBe(200);
  const login = await server.request.post('/auth/login').send({ email, password: 'Applicant-Pass-1' });
  expect(login.status).toBe(200);
  const claims = JSON.parse(Buffer.from((login.body.access_token as string).split('.')[1]!, 'base64url').toString()) as { fhirUser: string; role: string };
  expect(claims.role).toBe('applicant');
  expect(claims.fhirUser).toMatch(/^Practitioner\//);
  return { token: login.body.access_token as string, practitioner: claims.fhirUser };
}

beforeAll(async () => {
  server = await startTestServer(
    { authEnabled: true, authRateLimitPerMinute: 10_000, adminEmail: ADMIN.email, adminPassword: ADMIN.password, registryLicensePrefix: 'PHB', registryLicenseTermMonths: 12 },
    { mailTransport: mailbox },
  );
  await server.container.fhir.service.update('Practitioner', 'officer1', { resourceType: 'Practitioner', id: 'officer1', name: [{ text: 'Registry Officer' }] });
  officer = issued('officer-account', 'registry-admin', 'Practitioner/officer1');
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('applicant accounts', () => {
  it('self-registration with accountType applicant gives an inactive Practitioner of its own', async () => {
    const { token, practitioner } = await registerApplicant('ngozi.applicant@example.org', 'Ngozi Eze');
    const own = await call(token, 'get', practitioner);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ active: false, name: [{ text: 'Ngozi Eze' }], telecom: [{ system: 'email', value: 'ngozi.applicant@example.org' }] });
    expect((await call(token, 'get', 'Practitioner/officer1')).status).toBe(403);
    expect((await call(token, 'get', 'Patient')).status).toBe(403);
    // The applicant may not license or activate itself.
    expect((await call(token, 'put', practitioner, { ...own.body, active: true })).status).toBe(403);
    expect((await call(token, 'put', practitioner, { ...own.body, gender: 'female' })).status).toBe(200);
    const bad = await server.request.post('/auth/register').send({ email: 'x.y@example.org', password: 'Applicant-Pass-1', accountType: 'officer' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_description).toMatch(/accountType/);
  });

  it('an admin creates an applicant through /admin/users, with its Practitioner', async () => {
    const admin = await server.request.post('/auth/login').send(ADMIN);
    const created = await server.request.post('/admin/users').set('Authorization', `Bearer ${admin.body.access_token}`).send({ email: 'made.by.admin@example.org', password: 'Applicant-Pass-2', role: 'applicant', name: 'Kofi Mensah' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'applicant', fhirUser: expect.stringMatching(/^Practitioner\//) });
    const practitioner = await server.container.fhir.service.read('Practitioner', (created.body.fhirUser as string).split('/')[1]!);
    expect(practitioner.resource).toMatchObject({ active: false, name: [{ text: 'Kofi Mensah' }] });
  });
});

describe('a doctor applies, is reviewed and licensed', () => {
  let applicant: { token: string; practitioner: string };
  let other: { token: string; practitioner: string };
  let taskId: string;
  const docs = new Map<string, string[]>();

  it('creates a draft application that only the applicant edits, and only as a draft', async () => {
    applicant = await registerApplicant('amaka.doctor@example.org', 'Amaka Obi');
    other = await registerApplicant('other.applicant@example.org', 'Other Applicant');
    const created = await call(applicant.token, 'post', 'Task', application(applicant.practitioner, 'doctor'));
    expect(created.status).toBe(201);
    taskId = created.body.id;
    expect((await call(applicant.token, 'put', `Task/${taskId}`, { ...created.body, status: 'requested' })).status).toBe(403);
    expect((await call(applicant.token, 'post', 'Task', { ...application(applicant.practitioner, 'doctor'), status: 'completed' })).status).toBe(403);
    expect((await call(applicant.token, 'post', 'Task', application(other.practitioner, 'doctor'))).status).toBe(403);
    expect((await call(applicant.token, 'post', 'Task', { ...application(applicant.practitioner, 'doctor'), for: ref('Patient/p1') })).status).toBe(403);
    expect((await call(officer, 'put', `Task/${taskId}`, { ...created.body, description: 'officer edit' })).status).toBe(403);
    expect((await call(other.token, 'get', `Task/${taskId}`)).status).toBe(403);
    expect((await call(other.token, 'put', `Task/${taskId}`, { ...created.body, description: 'not mine' })).status).toBe(403);
    expect((await call(applicant.token, 'put', `Task/${taskId}`, { ...created.body, description: 'my application' })).status).toBe(200);
    const foreignBinary = { resourceType: 'Binary', contentType: 'text/plain', data: 'eA==', securityContext: ref(other.practitioner) };
    expect((await call(applicant.token, 'post', 'Binary', foreignBinary)).status).toBe(403);
    expect((await call(applicant.token, 'post', 'DocumentReference', documentOf(other.practitioner, taskId, 'cv', 'x'))).status).toBe(403);
    expect((await call(applicant.token, 'post', 'DocumentReference', { ...documentOf(applicant.practitioner, taskId, 'cv', 'x'), author: [ref('Patient/p1')] })).status).toBe(403);
    const search = await call(other.token, 'get', 'Task');
    expect(search.status).toBe(200);
    expect(search.body.entry ?? []).toEqual([]);
  });

  it('submitting with a missing document is refused, listing each one', async () => {
    for (const { type, count } of requiredDocuments('doctor')) {
      if (type === 'cv') continue;
      for (let i = 0; i < (type === 'reference-letter' ? 1 : count); i++) docs.set(type, [...(docs.get(type) ?? []), await upload(applicant.token, applicant.practitioner, taskId, type)]);
    }
    const refused = await op(applicant.token, `Task/${taskId}/$submit`);
    expect(refused.status).toBe(422);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    expect(refused.body.issue).toHaveLength(2);
    expect(refused.body.issue.map((i: { code: string; details: { coding: Array<{ code: string }> } }) => [i.code, i.details.coding[0]!.code])).toEqual([
      ['required', 'cv'],
      ['required', 'reference-letter'],
    ]);
    expect(diagnostics(refused.body)[1]).toBe('Missing required document: reference-letter (2 needed, 1 usable)');
    expect((await call(applicant.token, 'get', `Task/${taskId}`)).body.status).toBe('draft');
  });

  it('an expired document is refused too; the complete set is submitted', async () => {
    const expired = await upload(applicant.token, applicant.practitioner, taskId, 'cv', `${YEAR - 1}-06-30`);
    const refused = await op(applicant.token, `Task/${taskId}/$submit`);
    expect(refused.status).toBe(422);
    expect(diagnostics(refused.body)).toEqual([`Document DocumentReference/${expired} (cv) expired on ${YEAR - 1}-06-30`, 'Missing required document: reference-letter (2 needed, 1 usable)']);
    docs.set('cv', [await upload(applicant.token, applicant.practitioner, taskId, 'cv')]);
    docs.set('reference-letter', [...docs.get('reference-letter')!, await upload(applicant.token, applicant.practitioner, taskId, 'reference-letter')]);
    expect((await op(other.token, `Task/${taskId}/$submit`)).status).toBe(403);
    const submitted = await op(applicant.token, `Task/${taskId}/$submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ resourceType: 'Task', status: 'requested', businessStatus: { text: 'submitted' } });
    const again = await op(applicant.token, `Task/${taskId}/$submit`);
    expect(again.status).toBe(409);
    expect(again.body.issue[0].code).toBe('conflict');
    // Past draft, the applicant edits it no more.
    expect((await call(applicant.token, 'put', `Task/${taskId}`, { ...submitted.body, description: 'late edit' })).status).toBe(403);
  });

  it('an officer starts the review; applicants cannot, nor approve', async () => {
    expect((await op(applicant.token, `Task/${taskId}/$start-review`)).status).toBe(403);
    expect((await op(applicant.token, `Task/${taskId}/$approve`)).status).toBe(403);
    expect((await op(officer, `Task/${taskId}/$approve`)).status).toBe(409);
    const verifyEarly = await op(officer, `DocumentReference/${docs.get('cv')![0]}/$verify`, { result: 'verified' });
    expect(verifyEarly.status).toBe(409);
    const review = await op(officer, `Task/${taskId}/$start-review`);
    expect(review.status).toBe(200);
    expect(review.body).toMatchObject({ status: 'in-progress', businessStatus: { text: 'under-review' }, owner: { reference: 'Practitioner/officer1' } });
    expect((await op(officer, `Task/${taskId}/$start-review`)).status).toBe(409);
  });

  it('verification results are recorded; a rejected document blocks the approval', async () => {
    expect((await op(applicant.token, `DocumentReference/${docs.get('cv')![0]}/$verify`, { result: 'verified' })).status).toBe(403);
    expect((await op(officer, `DocumentReference/${docs.get('cv')![0]}/$verify`, { result: 'maybe' })).status).toBe(400);
    expect((await op(officer, `DocumentReference/${docs.get('cv')![0]}/$verify`)).status).toBe(400);
    for (const [type, ids] of docs) {
      for (const id of ids) {
        const result = type === 'transcript' ? 'rejected' : 'verified';
        const res = await op(officer, `DocumentReference/${id}/$verify`, { result, note: `${type} checked` });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ resourceType: 'VerificationResult', target: [{ reference: `DocumentReference/${id}` }], status: result === 'verified' ? 'validated' : 'val-fail', validationProcess: [{ text: `${type} checked` }] });
      }
    }
    const blocked = await op(officer, `Task/${taskId}/$approve`);
    expect(blocked.status).toBe(422);
    expect(diagnostics(blocked.body)).toEqual([`Document DocumentReference/${docs.get('transcript')![0]} (transcript) was rejected by the registry`]);
    expect((await op(officer, `DocumentReference/${docs.get('transcript')![0]}/$verify`, { result: 'verified', note: 'original seen' })).status).toBe(200);
  });

  it('approval issues the license', async () => {
    const approved = await op(officer, `Task/${taskId}/$approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'completed', businessStatus: { text: 'approved' } });
    const number = approved.body.output[0].valueIdentifier.value as string;
    expect(number).toBe(`PHB-DOC-${YEAR}-00001`);
    expect(approved.body.output[0].valueIdentifier.system).toBe(LICENSE_NUMBER_SYSTEM);
    const practitioner = (await call(applicant.token, 'get', applicant.practitioner)).body;
    expect(practitioner.active).toBe(true);
    expect(practitioner.meta.profile).toContain(REGISTRY_PRACTITIONER_PROFILE);
    expect(practitioner.address).toEqual([{ use: 'work', state: 'NG-LA' }]);
    expect(practitioner.identifier).toEqual([{ system: 'https://mdcn.gov.ng/registration', value: `MDCN-${applicant.practitioner.slice(-6)}` }]);
    const license = practitioner.qualification[0];
    expect(license.identifier).toEqual([{ system: LICENSE_NUMBER_SYSTEM, value: number }]);
    expect(license.issuer).toEqual({ reference: REGISTRY_ORGANIZATION_REFERENCE });
    expect(license.extension[0].valueCode).toBe('active');
    expect(license.period.start).toBe(new Date().toISOString().slice(0, 10));
    const roles = await call(officer, 'get', `PractitionerRole?practitioner=${applicant.practitioner}`);
    expect(roles.body.entry.map((e: { resource: Resource }) => e.resource)).toMatchObject([
      { organization: { reference: REGISTRY_ORGANIZATION_REFERENCE }, code: [{ coding: [{ code: 'doctor' }] }], specialty: [{ coding: [{ code: 'cardiology' }] }] },
    ]);
    const provenance = await call(officer, 'get', `Provenance?target=Task/${taskId}`);
    expect(provenance.body.entry[0].resource.agent[0].who).toEqual({ reference: 'Practitioner/officer1' });
    const organization = await call(officer, 'get', REGISTRY_ORGANIZATION_REFERENCE);
    expect(organization.body.name).toBe(server.config.registryName);
    expect((await op(officer, `Task/${taskId}/$approve`)).status).toBe(409);
    expect((await op(officer, `Task/${taskId}/$reject`, { reason: 'too late' })).status).toBe(409);
    // The applicant still reads its application and its documents' content (through securityContext).
    const doc = await call(applicant.token, 'get', `DocumentReference/${docs.get('cv')![0]}`);
    expect((await call(applicant.token, 'get', doc.body.content[0].attachment.url)).status).toBe(200);
    expect((await call(other.token, 'get', doc.body.content[0].attachment.url)).status).toBe(403);
    expect((await call(other.token, 'get', `DocumentReference/${doc.body.id}`)).status).toBe(403);
    expect((await call(other.token, 'get', 'DocumentReference')).body.entry ?? []).toEqual([]);
    // Documents stay as verified: the applicant adds new ones, it never changes them.
    expect((await call(applicant.token, 'put', `DocumentReference/${doc.body.id}`, { ...doc.body, description: 'swapped' })).status).toBe(403);
    const mine = await call(applicant.token, 'get', `DocumentReference?related=Task/${taskId}`);
    expect(mine.body.entry).toHaveLength(12);
  });
});

describe('rejection and bad input', () => {
  it('an officer rejects with a reason', async () => {
    const { token, practitioner } = await registerApplicant('rejected.nurse@example.org', 'Nurse Rejected');
    const task = (await call(token, 'post', 'Task', application(practitioner, 'nurse'))).body.id as string;
    for (const { type, count } of requiredDocuments('nurse')) for (let i = 0; i < count; i++) await upload(token, practitioner, task, type);
    expect((await op(token, `Task/${task}/$submit`)).status).toBe(200);
    expect((await op(officer, `Task/${task}/$reject`)).status).toBe(400);
    expect((await op(officer, `Task/${task}/$reject`, { reason: '' })).status).toBe(400);
    expect((await op(token, `Task/${task}/$reject`, { reason: 'self' })).status).toBe(403);
    const rejected = await op(officer, `Task/${task}/$reject`, { reason: 'council registration could not be confirmed' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', statusReason: { text: 'council registration could not be confirmed' }, businessStatus: { text: 'rejected' } });
    expect((await op(officer, `Task/${task}/$reject`, { reason: 'again' })).status).toBe(409);
    expect((await op(officer, `Task/${task}/$start-review`)).status).toBe(409);
  });

  it('answers 4xx OperationOutcomes, never 500', async () => {
    const plain = await server.container.fhir.service.create('Task', { resourceType: 'Task', status: 'requested', intent: 'order' });
    const cases: Array<[string, Record<string, string>, number]> = [
      ['Task/does-not-exist/$submit', {}, 404],
      [`Task/${plain.id}/$approve`, {}, 422],
      [`Task/${plain.id}/$start-review`, {}, 422],
      [`Task/${plain.id}/$reject`, { reason: 'x', other: 'y' }, 400],
      ['DocumentReference/nope/$verify', { result: 'verified' }, 404],
    ];
    for (const [path, params, status] of cases) {
      const res = await op(officer, path, params);
      expect(res.status, path).toBe(status);
      expect(res.body.resourceType, path).toBe('OperationOutcome');
    }
    const notParameters = await call(officer, 'post', `Task/${plain.id}/$approve`, { resourceType: 'Patient' });
    expect(notParameters.status).toBe(400);
    const { token, practitioner } = await registerApplicant('astronaut@example.org', 'Not A Profession');
    const odd = await call(token, 'post', 'Task', application(practitioner, 'astronaut'));
    const refused = await op(token, `Task/${odd.body.id}/$submit`);
    expect(refused.status).toBe(422);
    expect(diagnostics(refused.body)[0]).toMatch(/'astronaut' is not a professional type/);
    // PATCH cannot move an application on either.
    const patched = await server.request
      .patch(`/fhir/Task/${odd.body.id}`)
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'requested' }]));
    expect(patched.status).toBe(403);
    expect((await call(token, 'get', `Task/${odd.body.id}`)).body.status).toBe('draft');
  });
});

/** An application under review whose documents are all verified, stored directly (the server's own work). */
async function reviewedApplication(target: TestServer, i: number, practitionerId = `dentist${i}`): Promise<string> {
  const service = target.container.fhir.service;
  const practitioner = `Practitioner/${practitionerId}`;
  await service.update('Practitioner', practitionerId, { resourceType: 'Practitioner', id: practitionerId, active: false, name: [{ text: `Dentist ${i}` }] });
  const task = await service.create('Task', { ...application(practitioner, 'dentist'), status: 'in-progress' });
  await Promise.all(
    requiredDocuments('dentist').map(async ({ type }) => {
      const doc = await service.create('DocumentReference', documentOf(practitioner, task.id, type, 'none'));
      await service.create('VerificationResult', { resourceType: 'VerificationResult', status: 'validated', statusDate: new Date().toISOString(), target: [ref(`DocumentReference/${doc.id}`)] });
    }),
  );
  return task.id;
}

/** A failed approval, `count` parallel ones, then two of one application: numbers 1..count+2 of DENT, no gap, no duplicate. */
async function approveConcurrently(target: TestServer, token: string, count: number): Promise<void> {
  const approve = (id: string) =>
    target.request.post(`/fhir/Task/${id}/$approve`).set('Authorization', `Bearer ${token}`).set('Content-Type', FHIR_JSON).send({ resourceType: 'Parameters' });
  const numberOf = (res: { body: { output: Array<{ valueIdentifier: { value: string } }> } }) => res.body.output[0]!.valueIdentifier.value;
  const expected = (n: number) => `PHB-DENT-${YEAR}-${String(n).padStart(5, '0')}`;
  const failing = await reviewedApplication(target, 99, 'gone-dentist');
  await target.container.fhir.service.delete('Practitioner', 'gone-dentist');
  const failed = await approve(failing);
  expect(failed.status).toBe(410);
  expect(failed.body.resourceType).toBe('OperationOutcome');
  expect((await target.container.fhir.service.read('Task', failing)).resource).toMatchObject({ status: 'in-progress' });

  const tasks = await Promise.all(Array.from({ length: count }, (_, i) => reviewedApplication(target, i)));
  const results = await Promise.all(tasks.map(approve));
  expect(results.map((r) => r.status)).toEqual(tasks.map(() => 200));
  expect(results.map(numberOf).sort()).toEqual(Array.from({ length: count }, (_, i) => expected(i + 1)));
  // Each Practitioner carries the number its Task reports.
  for (const [i, result] of results.entries()) {
    const practitioner = await target.container.fhir.service.read('Practitioner', `dentist${i}`);
    expect(JSON.stringify(practitioner.resource)).toContain(numberOf(result));
  }
  // Two approvals of one application: one wins, the other is a 409 whose number is released.
  const twice = await reviewedApplication(target, count);
  const both = await Promise.all([approve(twice), approve(twice)]);
  expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
  expect(numberOf(both.find((r) => r.status === 200)!)).toBe(expected(count + 1));
  expect(numberOf(await approve(await reviewedApplication(target, count + 1)))).toBe(expected(count + 2));
  const twiceLicensed = await target.container.fhir.service.read('Practitioner', `dentist${count}`);
  expect((twiceLicensed.resource as { qualification: unknown[] }).qualification).toHaveLength(1);
  const stored = await target.container.mongoClient.db(target.config.mongodbDatabase).collection('license_numbers').find({ series: `DENT-${YEAR}` }).toArray();
  expect(stored.map((d) => d.state)).toEqual(Array(count + 2).fill('issued'));
}

describe('license numbers under concurrent approvals', () => {
  it('mongo-java-server (undo journal): a failed approval releases its number; 20 parallel approvals get 00001..00020', async () => {
    await approveConcurrently(server, officer, 20);
  }, 120_000);

  it('jongodb (multi-document transactions): the same', async () => {
    const jongodb = await startJongodb();
    const onJongodb = await startTestServer({ mongodbUrl: jongodb.url, authEnabled: true, registryLicensePrefix: 'PHB' });
    try {
      expect(onJongodb.container.store.supportsTransactions).toBe(true);
      const token = onJongodb.container.auth.tokens.issue({ subject: 'officer', kind: 'user', role: 'registry-admin', clientId: 'test', scope: 'user/*.cruds' }).accessToken;
      await approveConcurrently(onJongodb, token, 20);
    } finally {
      await onJongodb.close();
      await jongodb.stop();
    }
  }, 180_000);
});

describe('MongoLicenseNumberStore', () => {
  it('serialises a series, releases failed reservations and takes over a dead holder\'s lock', async () => {
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    const store = await new MongoLicenseNumberStore(db).init();
    const slow = (seq: number) => new Promise<number>((resolve) => setTimeout(() => resolve(seq), 5));
    expect((await Promise.all(Array.from({ length: 10 }, () => store.allocate('T-1', 'test', slow)))).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await expect(store.allocate('T-1', 'test', () => Promise.reject(new Error('approval failed')))).rejects.toThrow('approval failed');
    expect(await store.allocate('T-1', 'test', slow)).toBe(11);
    expect(await store.allocate('T-2', 'test', slow)).toBe(1);
    await db.collection<{ _id: string; at: Date; owner: string }>('license_number_locks').insertOne({ _id: 'T-3', at: new Date(Date.now() - 120_000), owner: 'dead' });
    expect(await store.allocate('T-3', 'test', slow)).toBe(1);
  });
});
