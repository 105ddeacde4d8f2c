/**
 * The national registry end to end over HTTP (issue 7, "How to show it works"): a nurse
 * registers, applies, uploads documents, submits with one missing (refused, naming it), completes
 * the set, an officer reviews and verifies every document and approves; anyone verifies the
 * license publicly; the officer suspends it (publicly not valid), reactivates, renews and revokes
 * it. Real MongoDB, Redis and email queue; authentication on.
 */
import type { Parameters } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_TYPE_SYSTEM } from '../../src/domain/licensing/license';
import { requiredDocuments } from '../../src/domain/licensing/application/required-documents';
import { Mailbox } from '../helpers/mailbox';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

const BASE = 'https://baobab.health/fhir';
const YEAR = new Date().getUTCFullYear();
const mailbox = new Mailbox();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true, authRateLimitPerMinute: 10_000, registryLicensePrefix: 'E2E' }, { mailTransport: mailbox });
  await server.container.fhir.service.update('Practitioner', 'officer-e2e', { resourceType: 'Practitioner', id: 'officer-e2e', name: [{ text: 'Officer' }] });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const officerToken = () =>
  server.container.auth.tokens.issue({ subject: 'officer-account', kind: 'user', role: 'registry-admin', clientId: 'test', scope: 'user/*.cruds', fhirUser: 'Practitioner/officer-e2e' })
    .accessToken;

function call(token: string, method: 'get' | 'post', path: string, body?: object) {
  const req = server.request[method](`/fhir/${path}`).set('Authorization', `Bearer ${token}`).set('Accept', FHIR_JSON);
  return body ? req.set('Content-Type', FHIR_JSON).send(body) : req;
}

function operation(token: string, path: string, parameters: Array<Record<string, unknown>> = []) {
  return call(token, 'post', path, { resourceType: 'Parameters', parameter: parameters });
}

async function verifyPublicly(number: string): Promise<Record<string, unknown>> {
  const res = await server.request.get('/fhir/Practitioner/$verify-license').query({ 'license-number': number }).set('Accept', FHIR_JSON);
  expect(res.status).toBe(200);
  const values: Record<string, unknown> = {};
  for (const p of (res.body as Parameters).parameter ?? []) {
    const value = Object.entries(p).find(([k]) => k.startsWith('value'))?.[1];
    if (value !== undefined) values[p.name] = value;
  }
  return values;
}

describe('the registry, end to end', () => {
  it('register → apply → upload → submit → review → verify → approve → public verification → suspend → reactivate → renew → revoke', { timeout: 120_000 }, async () => {
    // 1. Register (an applicant account; active once the emailed link is followed) and sign in.
    const email = 'amina.nurse@example.org';
    expect((await server.request.post('/auth/register').send({ email, password: 'Nurse-Pass-123', name: 'Amina Bello', accountType: 'applicant' })).status).toBe(202);
    const link = Mailbox.link(await mailbox.waitFor(email), '/auth/verify-email');
    expect((await server.request.get(`${link.pathname}${link.search}`)).status).toBe(200);
    const login = await server.request.post('/auth/login').send({ email, password: 'Nurse-Pass-123' });
    expect(login.status).toBe(200);
    const applicant = login.body.access_token as string;
    const practitioner = JSON.parse(Buffer.from(applicant.split('.')[1]!, 'base64url').toString()).fhirUser as string;
    expect((await call(applicant, 'get', practitioner)).body.active).toBe(false);

    // 2. Apply: a draft license application about the applicant's own Practitioner.
    const input = (code: string, value: object) => ({ type: { coding: [{ system: `${BASE}/CodeSystem/application-input`, code }] }, ...value });
    const task = await call(applicant, 'post', 'Task', {
      resourceType: 'Task',
      meta: { profile: [`${BASE}/StructureDefinition/license-application`] },
      status: 'draft',
      intent: 'order',
      code: { coding: [{ system: `${BASE}/CodeSystem/registry-task`, code: 'license-application' }] },
      focus: { reference: practitioner },
      input: [
        input('professional-type', { valueCodeableConcept: { coding: [{ system: `${BASE}/CodeSystem/professional-type`, code: 'nurse' }] } }),
        input('specialization', { valueCodeableConcept: { coding: [{ system: `${BASE}/CodeSystem/specialty`, code: 'nursing' }] } }),
        input('state-of-practice', { valueCodeableConcept: { coding: [{ system: 'urn:iso:std:iso:3166:-2', code: 'NG-KN' }] } }),
      ],
    });
    expect(task.status).toBe(201);
    const taskId = task.body.id as string;

    // 3. Upload every required document but the CV (Binary content + DocumentReference linked to the Task).
    const documents: string[] = [];
    const upload = async (type: string) => {
      const binary = await call(applicant, 'post', 'Binary', { resourceType: 'Binary', contentType: 'application/pdf', securityContext: { reference: practitioner }, data: Buffer.from(`%PDF ${type}`).toString('base64') });
      expect(binary.status).toBe(201);
      const doc = await call(applicant, 'post', 'DocumentReference', {
        resourceType: 'DocumentReference',
        status: 'current',
        type: { coding: [{ system: DOCUMENT_TYPE_SYSTEM, code: type }] },
        subject: { reference: practitioner },
        content: [{ attachment: { contentType: 'application/pdf', url: `Binary/${binary.body.id}` } }],
        context: { related: [{ reference: `Task/${taskId}` }], period: { end: `${YEAR + 3}-12-31` } },
      });
      expect(doc.status).toBe(201);
      documents.push(doc.body.id as string);
    };
    const required = requiredDocuments('nurse');
    expect(required.map((r) => r.type)).toContain('current-practising-license');
    for (const { type, count } of required) for (let i = 0; i < count; i++) if (type !== 'cv') await upload(type);

    // 4. Submit with the CV missing: refused, naming it; then complete and submit.
    const refused = await operation(applicant, `Task/${taskId}/$submit`);
    expect(refused.status).toBe(422);
    expect(refused.body.issue.map((i: { diagnostics: string }) => i.diagnostics)).toEqual([expect.stringMatching(/Missing required document: cv/)]);
    await upload('cv');
    const submitted = await operation(applicant, `Task/${taskId}/$submit`);
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'requested', businessStatus: { text: 'submitted' } });

    // 5. Review: start, verify each document, approve.
    const officer = officerToken();
    expect((await operation(officer, `Task/${taskId}/$start-review`)).body.status).toBe('in-progress');
    for (const id of documents) {
      const verified = await operation(officer, `DocumentReference/${id}/$verify`, [{ name: 'result', valueCode: 'verified' }, { name: 'note', valueString: 'original seen' }]);
      expect(verified.status).toBe(200);
    }
    const approved = await operation(officer, `Task/${taskId}/$approve`);
    expect(approved.status).toBe(200);
    const number = approved.body.output[0].valueIdentifier.value as string;
    expect(number).toBe(`E2E-NURSE-${YEAR}-00001`);
    const practitionerId = practitioner.split('/')[1]!;

    // 6. Anyone verifies it, without a token.
    const valid = await verifyPublicly(number);
    expect(valid).toMatchObject({ valid: true, status: 'active', state: { system: 'urn:iso:std:iso:3166:-2', code: 'NG-KN' } });
    expect(JSON.stringify(valid)).not.toContain(email);
    const page = await server.request.get(`/registry/verify/${number}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('VALID');

    // 7. Suspended: publicly not valid.
    const lifecycle = (code: string, parameters: Array<Record<string, unknown>> = []) => operation(officer, `Practitioner/${practitionerId}/$${code}`, parameters);
    expect((await lifecycle('suspend-license', [{ name: 'reason', valueString: 'Complaint under investigation' }])).status).toBe(200);
    expect(await verifyPublicly(number)).toMatchObject({ valid: false, status: 'suspended' });

    // 8. Reactivated, then renewed: valid again, for longer.
    expect((await lifecycle('reactivate-license', [{ name: 'reason', valueString: 'Cleared' }])).status).toBe(200);
    const before = await verifyPublicly(number);
    expect(before).toMatchObject({ valid: true, status: 'active' });
    expect((await lifecycle('renew-license', [{ name: 'reason', valueString: 'Renewal fee paid' }])).status).toBe(200);
    const renewed = await verifyPublicly(number);
    expect(renewed.valid).toBe(true);
    expect(String(renewed.expires) > String(before.expires)).toBe(true);

    // 9. Revoked: not valid, for good.
    expect((await lifecycle('revoke-license', [{ name: 'reason', valueString: 'Struck off' }])).status).toBe(200);
    expect(await verifyPublicly(number)).toMatchObject({ valid: false, status: 'revoked' });
    expect((await lifecycle('reactivate-license', [{ name: 'reason', valueString: 'appeal' }])).status).toBe(422);

    // The professional was told of each change, by email (queued, so it may come a little later).
    const deadline = Date.now() + 10_000;
    while (!mailbox.to(email).some((m) => /revoked/i.test(`${m.subject} ${m.text}`))) {
      if (Date.now() > deadline) throw new Error(`no revocation email; got: ${mailbox.to(email).map((m) => m.subject).join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(mailbox.to(email).filter((m) => /suspended/i.test(`${m.subject} ${m.text}`)).length).toBeGreaterThan(0);
  });
});
