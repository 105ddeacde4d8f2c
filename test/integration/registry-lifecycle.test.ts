/**
 * The license lifecycle of the national registry (issue 7, workflow point 6) over HTTP: each
 * officer operation's answer and persisted state (status extension, period, Provenance,
 * AuditEvent, in-app Communication, email), illegal transitions, roles and bad inputs. The daily
 * run is in registry-daily-run.test.ts. Licensed Practitioners are fixtures POSTed with
 * licenseQualification() (test/helpers/registry-lifecycle.ts), independent of the application
 * workflow.
 */
import type { Basic, Practitioner } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLicense } from '../../src/domain/licensing/license';
import { addDays, addMonths } from '../../src/domain/licensing/lifecycle/dates';
import { Mailbox } from '../helpers/mailbox';
import type { Value } from '../helpers/registry-lifecycle';
import { TODAY, lifecycleHelpers } from '../helpers/registry-lifecycle';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const mailbox = new Mailbox();

const { token, officer, admin, licensed, op, search, statusOf, stored, provenances, communications, auditEvents, expectOutcome } = lifecycleHelpers(() => server);

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true, registryLicenseTermMonths: 12 }, { mailTransport: mailbox });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('$suspend-license and $reactivate-license', () => {
  it('suspends the only license: new version, Provenance, AuditEvent, Communication and email', async () => {
    const { id, numbers, email } = await licensed();
    const until = addDays(TODAY, 30);
    const res = await op(id, 'suspend-license', { reason: 'Under investigation', end: { date: until } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.resourceType).toBe('Practitioner');
    expect(statusOf(res.body as Practitioner, numbers[0]!)).toBe('suspended');
    expect(res.body.meta.versionId).toBe('2');
    expect(statusOf(await stored(id), numbers[0]!)).toBe('suspended');

    const [provenance] = await provenances('Practitioner', id);
    expect(provenance?.target[0]?.reference).toBe(`Practitioner/${id}/_history/2`);
    expect(provenance?.entity?.[0]).toMatchObject({ role: 'revision', what: { reference: `Practitioner/${id}/_history/1` } });
    expect(provenance?.activity?.text).toBe('suspend-license');
    expect(provenance?.agent[0]?.who?.reference).toBe('Practitioner/officer1');
    expect(provenance?.reason?.[0]?.text).toBe('Under investigation');
    expect(provenance?.occurredPeriod).toEqual({ start: TODAY, end: until });

    const events = await auditEvents(`Practitioner/${id}`);
    expect(events).toHaveLength(1);
    expect(events[0]?.outcome).toBe('0');
    expect(events[0]?.entity?.[0]?.detail).toContainEqual({ type: 'operation', valueString: 'suspend-license' });
    expect(events[0]?.agent[0]?.who?.reference).toBe('Practitioner/officer1');

    const [communication] = await communications(id, 1);
    expect(communication).toMatchObject({ status: 'completed', recipient: [{ reference: `Practitioner/${id}` }], category: [{ coding: [{ code: 'notification' }] }] });
    expect(communication?.payload?.[0]?.contentString).toContain(`${numbers[0]} has been suspended until ${until}`);
    const mail = await mailbox.waitFor(email);
    expect(mail.subject).toBe(`Your license ${numbers[0]} is suspended`);
    expect(mail.text).toContain('Under investigation');

    // Lifting it: back to active, a second Provenance, a second notice.
    const back = await op(id, 'reactivate-license', { reason: 'Cleared' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(statusOf(back.body as Practitioner, numbers[0]!)).toBe('active');
    const trail = await provenances('Practitioner', id);
    expect(trail.map((p) => p.activity?.text)).toEqual(['suspend-license', 'reactivate-license']);
    expect(trail[1]?.target[0]?.reference).toBe(`Practitioner/${id}/_history/3`);
    expect((await mailbox.waitFor(email, 2)).subject).toBe(`Your license ${numbers[0]} is active again`);
    expect(await communications(id, 2)).toHaveLength(2);
  });

  it('refuses to suspend a suspended license (409) and to reactivate an active one (409)', async () => {
    const { id } = await licensed({ licenses: [{ status: 'suspended' }] });
    expectOutcome(await op(id, 'suspend-license', { reason: 'again' }), 409, 'conflict', /only an active license can be suspended/);
    const active = await licensed();
    expectOutcome(await op(active.id, 'reactivate-license'), 409, 'conflict', /only a suspended license can be reactivated/);
    expect(statusOf(await stored(active.id), active.numbers[0]!)).toBe('active');
  });

  it('reactivating a license whose term ended during the suspension leaves it expired', async () => {
    const { id, numbers } = await licensed({ licenses: [{ status: 'suspended', start: addDays(TODAY, -400), end: addDays(TODAY, -3) }] });
    const res = await op(id, 'reactivate-license');
    expect(res.status).toBe(200);
    expect(statusOf(res.body as Practitioner, numbers[0]!)).toBe('expired');
  });

  it('picks the named license among several, and needs the number when there are several', async () => {
    const { id, numbers } = await licensed({ licenses: [{}, {}] });
    expectOutcome(await op(id, 'suspend-license', { reason: 'r' }), 400, 'invalid', /license-number' is required.*holds 2 licenses/);
    const res = await op(id, 'suspend-license', { reason: 'r', 'license-number': numbers[1]! });
    expect(res.status).toBe(200);
    expect(statusOf(res.body as Practitioner, numbers[0]!)).toBe('active');
    expect(statusOf(res.body as Practitioner, numbers[1]!)).toBe('suspended');
  });
});

describe('concurrent officers and the public registry', () => {
  it('of two simultaneous suspensions of one license, one succeeds and the other is 409', async () => {
    const { id } = await licensed();
    const answers = await Promise.all([op(id, 'suspend-license', { reason: 'first' }), op(id, 'suspend-license', { reason: 'second' })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect((await stored(id)).meta?.versionId).toBe('2');
    expect(await provenances('Practitioner', id)).toHaveLength(1);
  });

  it('$verify-license answers not valid once the license is suspended, valid again once reactivated', async () => {
    const { id, numbers } = await licensed();
    const verify = async () => {
      const res = await server.request.get(`/fhir/Practitioner/$verify-license?license-number=${numbers[0]}`);
      expect(res.status).toBe(200);
      return (res.body as { parameter: Array<{ name: string; valueBoolean?: boolean; valueCode?: string; valueString?: string }> }).parameter;
    };
    expect((await verify()).find((p) => p.name === 'valid')?.valueBoolean).toBe(true);
    expect((await op(id, 'suspend-license', { reason: 'r' })).status).toBe(200);
    expect((await verify()).find((p) => p.name === 'valid')?.valueBoolean).toBe(false);
    expect((await op(id, 'reactivate-license')).status).toBe(200);
    expect((await verify()).find((p) => p.name === 'valid')?.valueBoolean).toBe(true);
  });
});

describe('$revoke-license', () => {
  it('revokes permanently: reactivation and renewal are refused (422), revoking again is 409', async () => {
    const { id, numbers, email } = await licensed();
    const res = await op(id, 'revoke-license', { reason: 'Struck off by the tribunal' });
    expect(res.status).toBe(200);
    expect(statusOf(res.body as Practitioner, numbers[0]!)).toBe('revoked');
    expect((await mailbox.waitFor(email)).subject).toBe(`Your license ${numbers[0]} is revoked`);
    expectOutcome(await op(id, 'reactivate-license'), 422, 'business-rule', /revoked license can never be reactivated/);
    expectOutcome(await op(id, 'renew-license'), 422, 'business-rule', /revoked license can never be renewed/);
    expectOutcome(await op(id, 'revoke-license', { reason: 'again' }), 409, 'conflict');
    expect(statusOf(await stored(id), numbers[0]!)).toBe('revoked');
    expect((await stored(id)).meta?.versionId).toBe('2');
    // The refusals are audited too, with their outcome.
    const events = await auditEvents(`Practitioner/${id}`);
    expect(events.map((e) => e.outcome).sort()).toEqual(['0', '4', '4', '4']);
  });
});

describe('$renew-license', () => {
  it('extends a running license by the term from its current end date', async () => {
    const end = addDays(TODAY, 10);
    const { id, numbers, email } = await licensed({ licenses: [{ start: addDays(TODAY, -355), end }] });
    const res = await op(id, 'renew-license', {}, admin());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const license = findLicense(res.body as Practitioner, numbers[0]!)!;
    expect(license).toMatchObject({ status: 'active', start: addDays(TODAY, -355), end: addMonths(end, 12) });
    expect((await mailbox.waitFor(email)).text).toContain(`valid until ${addMonths(end, 12)}`);
    const [provenance] = await provenances('Practitioner', id);
    expect(provenance?.agent[0]?.who?.identifier?.value).toBe('account-admin');
  });

  it('gives an expired license a new period from today', async () => {
    const { id, numbers } = await licensed({ licenses: [{ status: 'expired', start: addDays(TODAY, -500), end: addDays(TODAY, -20) }] });
    const res = await op(id, 'renew-license');
    expect(res.status).toBe(200);
    expect(findLicense(res.body as Practitioner, numbers[0]!)).toMatchObject({ status: 'active', start: TODAY, end: addDays(addMonths(TODAY, 12), -1) });
  });

  it('refuses a suspended license (409)', async () => {
    const { id } = await licensed({ licenses: [{ status: 'suspended' }] });
    expectOutcome(await op(id, 'renew-license'), 409, 'conflict', /reactivate it first/);
  });
});

describe('$add-disciplinary-action', () => {
  it('records a Basic of the disciplinary-action profile with its Provenance and AuditEvent', async () => {
    const { id } = await licensed();
    const res = await op(id, 'add-disciplinary-action', { date: { date: addDays(TODAY, -2) }, action: { code: 'warning' }, summary: 'Late record keeping', public: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const basic = res.body as Basic;
    expect(basic).toMatchObject({ resourceType: 'Basic', subject: { reference: `Practitioner/${id}` }, created: addDays(TODAY, -2), author: { reference: 'Practitioner/officer1' } });
    expect(basic.meta?.profile).toEqual(['https://baobab.health/fhir/StructureDefinition/disciplinary-action']);
    const ext = (name: string) => basic.extension?.find((e) => e.url.endsWith(`/${name}`));
    expect(ext('disciplinary-action-type')?.valueCodeableConcept?.coding?.[0]).toMatchObject({ code: 'warning', display: 'Warning' });
    expect(ext('disciplinary-summary')?.valueString).toBe('Late record keeping');
    expect(ext('disciplinary-public')?.valueBoolean).toBe(true);
    const found = await search<Basic>(`Basic?subject=Practitioner/${id}`);
    expect(found.map((b) => b.id)).toEqual([basic.id]);
    const [provenance] = await provenances('Basic', basic.id!);
    expect(provenance).toMatchObject({ activity: { text: 'add-disciplinary-action' }, reason: [{ text: 'Late record keeping' }] });
    expect(provenance?.target[0]?.reference).toBe(`Basic/${basic.id}/_history/1`);
    expect(await auditEvents(`Practitioner/${id}`)).toHaveLength(1);
  });

  it('defaults to private and today; refuses unknown action types, missing summary, future dates (400) and unknown Practitioners (404)', async () => {
    const { id } = await licensed();
    const res = await op(id, 'add-disciplinary-action', { action: { code: 'advice' }, summary: 'Advised on consent forms' });
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(TODAY);
    expect((res.body as Basic).extension?.find((e) => e.url.endsWith('/disciplinary-public'))?.valueBoolean).toBe(false);
    expectOutcome(await op(id, 'add-disciplinary-action', { action: { code: 'flogging' }, summary: 's' }), 400, 'invalid', /disciplinary action type/);
    expectOutcome(await op(id, 'add-disciplinary-action', { action: { code: 'fine' } }), 400, 'invalid', /summary' is required/);
    expectOutcome(await op(id, 'add-disciplinary-action', { action: { code: 'fine' }, summary: 's', date: { date: addDays(TODAY, 1) } }), 400, 'invalid', /future/);
    expectOutcome(await op('no-such-practitioner', 'add-disciplinary-action', { action: { code: 'fine' }, summary: 's' }), 404, 'not-found');
  });
});

describe('who may', () => {
  it('refuses doctors (403), backend clients (403) and callers without a token (401)', async () => {
    const { id, numbers } = await licensed();
    const inputs: Record<string, Record<string, Value>> = {
      'suspend-license': { reason: 'r' },
      'revoke-license': { reason: 'r' },
      'reactivate-license': {},
      'renew-license': {},
      'add-disciplinary-action': { action: { code: 'fine' }, summary: 's' },
    };
    for (const [code, values] of Object.entries(inputs)) {
      expectOutcome(await op(id, code, values, token('doctor', `Practitioner/${id}`)), 403, 'forbidden', /registry officers/);
      expectOutcome(await op(id, code, values, token('registry-admin', undefined, 'client')), 403, 'forbidden');
      const anonymous = await op(id, code, values, null);
      expect(anonymous.status).toBe(401);
    }
    expect(statusOf(await stored(id), numbers[0]!)).toBe('active');
    expect((await stored(id)).meta?.versionId).toBe('1');
  });
});

describe('bad input', () => {
  it('answers 400 for missing, blank, unknown or mistyped parameters, never 500', async () => {
    const { id } = await licensed();
    expectOutcome(await op(id, 'suspend-license'), 400, 'invalid', /reason' is required/);
    expectOutcome(await op(id, 'suspend-license', { reason: '   ' }), 400, 'invalid', /non-empty/);
    expectOutcome(await op(id, 'suspend-license', { reason: 'x'.repeat(2001) }), 400, 'invalid', /at most/);
    expectOutcome(await op(id, 'suspend-license', { reason: 'r', end: { date: addDays(TODAY, -1) } }), 400, 'invalid', /after today/);
    expectOutcome(await op(id, 'suspend-license', { reason: 'r', colour: 'blue' }), 400, 'invalid', /Unknown parameter/);
    expectOutcome(await op(id, 'suspend-license', { reason: 'r', end: 'next week' }), 400, 'invalid');
    const notParameters = await server.request.post(`/fhir/Practitioner/${id}/$suspend-license`).set('Authorization', `Bearer ${officer()}`).set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient' });
    expectOutcome(notParameters, 400, 'invalid');
    const broken = await server.request.post(`/fhir/Practitioner/${id}/$suspend-license`).set('Authorization', `Bearer ${officer()}`).set('Content-Type', FHIR_JSON).send('{"resourceType":');
    expect(broken.status).toBe(400);
    const viaGet = await server.request.get(`/fhir/Practitioner/${id}/$suspend-license?reason=r`).set('Authorization', `Bearer ${officer()}`);
    expect(viaGet.status).toBe(405);
    expect((await stored(id)).meta?.versionId).toBe('1');
  });

  it('answers 422 for a license number the Practitioner does not hold or a Practitioner without a license, 404 for an unknown one', async () => {
    const { id } = await licensed();
    expectOutcome(await op(id, 'suspend-license', { reason: 'r', 'license-number': 'BAO-DOC-1999-99999' }), 422, 'not-found', /holds no license BAO-DOC-1999-99999/);
    const { id: unlicensed } = await licensed({ licenses: [] });
    expectOutcome(await op(unlicensed, 'renew-license'), 422, 'business-rule', /holds no license/);
    expectOutcome(await op('unknown-practitioner', 'revoke-license', { reason: 'r' }), 404, 'not-found');
  });
});

describe('where notices go', () => {
  it('emails the linked account when the Practitioner has no email telecom', async () => {
    const { id, numbers } = await licensed({ email: null });
    const accountEmail = `linked${Date.now()}@example.org`;
    await server.container.accounts.createByAdmin({ email: accountEmail, role: 'doctor', fhirUser: `Practitioner/${id}`, password: 'Correct-Horse-Battery-Staple-9' });
    expect((await op(id, 'suspend-license', { reason: 'Audit pending' })).status).toBe(200);
    expect((await mailbox.waitFor(accountEmail)).subject).toBe(`Your license ${numbers[0]} is suspended`);
  });
});
