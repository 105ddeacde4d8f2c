/**
 * The registry's daily license run (issue 7) driven with chosen dates through
 * `container.licenseLifecycle.runExpiry(now)`: licenses past their end date expire, suspensions
 * past their last day are lifted, renewal reminders go out 60, 30 and 7 days before the end,
 * each once, and all of it works without Redis.
 */
import type { Communication, Practitioner } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/auth/auth-context';
import type { LicenseStatus } from '../../src/domain/licensing/license';
import { LICENSE_SUSPENDED_UNTIL_EXTENSION, findLicense, licenseQualification } from '../../src/domain/licensing/license';
import { addDays, addMonths } from '../../src/domain/licensing/lifecycle/dates';
import { Mailbox } from '../helpers/mailbox';
import { TODAY, lifecycleHelpers } from '../helpers/registry-lifecycle';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const mailbox = new Mailbox();

const { licensed, parameters, op, search, statusOf, stored, provenances, communications } = lifecycleHelpers(() => server);

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true, registryLicenseTermMonths: 12 }, { mailTransport: mailbox });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('the daily expiry job', () => {
  // Run for a chosen day far from today: the fixtures' dates are relative to it.
  const RUN = addDays(TODAY, 1000);
  const at = (date: string, hour = 2) => new Date(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);
  const subjects = (email: string) => mailbox.to(email).map((m) => m.subject);
  const fixture = (end: string, status: LicenseStatus = 'active') => licensed({ licenses: [{ status, start: addDays(RUN, -300), end }] });

  it('is scheduled daily in BullMQ under the server\'s Redis prefix', async () => {
    const { Queue } = await import('bullmq');
    const queue = new Queue('license-expiry', { connection: { url: server.config.redisUrl }, prefix: `${server.config.redisPrefix}bull` });
    const schedulers = await queue.getJobSchedulers();
    await queue.close();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'daily-license-expiry', pattern: '1 0 * * *' })]);
  });

  it('expires licenses past their end date and sends each reminder (60, 30, 7 days) once', async () => {
    const ended = await fixture(addDays(RUN, -1));
    const suspended = await fixture(addDays(RUN, -1), 'suspended');
    const in60 = await fixture(addDays(RUN, 60));
    const in45 = await fixture(addDays(RUN, 45));
    const in30 = await fixture(addDays(RUN, 30));
    const in7 = await fixture(addDays(RUN, 7));
    const in61 = await fixture(addDays(RUN, 61));

    const report = await server.container.licenseLifecycle!.runExpiry(at(RUN));
    expect(report.failed).toBe(0);
    expect(report.expired).toBeGreaterThanOrEqual(1);
    expect(report.reminders).toBeGreaterThanOrEqual(4);

    const expired = await stored(ended.id);
    expect(statusOf(expired, ended.numbers[0]!)).toBe('expired');
    expect(expired.meta?.versionId).toBe('2');
    const [provenance] = await provenances('Practitioner', ended.id);
    expect(provenance).toMatchObject({ activity: { text: 'license-expiry' }, agent: [{ who: { reference: 'Organization/registry' } }], target: [{ reference: `Practitioner/${ended.id}/_history/2` }] });
    expect((await mailbox.waitFor(ended.email)).subject).toBe(`Your license ${ended.numbers[0]} has expired`);
    expect((await communications(ended.id, 1))[0]?.payload?.[0]?.contentString).toContain(`expired on ${addDays(RUN, -1)}`);
    // A suspension stays a suspension; reactivating it later gives `expired`.
    expect(statusOf(await stored(suspended.id), suspended.numbers[0]!)).toBe('suspended');

    expect((await mailbox.waitFor(in60.email)).subject).toBe(`Your license ${in60.numbers[0]} expires in 60 days`);
    expect((await mailbox.waitFor(in45.email)).subject).toBe(`Your license ${in45.numbers[0]} expires in 45 days`);
    expect((await mailbox.waitFor(in30.email)).subject).toBe(`Your license ${in30.numbers[0]} expires in 30 days`);
    expect((await mailbox.waitFor(in7.email)).subject).toBe(`Your license ${in7.numbers[0]} expires in 7 days`);
    expect((await communications(in7.id, 1))[0]?.payload?.[0]?.contentString).toContain(`expires on ${addDays(RUN, 7)}`);
    expect(statusOf(await stored(in60.id), in60.numbers[0]!)).toBe('active');

    // Twice the same day, later that day, and with a fresh reminder store (as after a restart): nothing again.
    expect(await server.container.licenseLifecycle!.runExpiry(at(RUN))).toEqual({ expired: 0, lifted: 0, reminders: 0, failed: 0 });
    expect(await server.container.licenseLifecycle!.runExpiry(at(RUN, 20))).toEqual({ expired: 0, lifted: 0, reminders: 0, failed: 0 });
    const { runLicenseExpiry } = await import('../../src/domain/licensing/lifecycle/expiry');
    const { MongoLicenseReminderStore } = await import('../../src/store/mongo/license-reminder-store');
    const fresh = new MongoLicenseReminderStore(server.container.mongoClient.db(server.config.mongodbDatabase));
    expect(await runLicenseExpiry({ ctx: server.container.fhir, reminders: fresh, logger: server.container.logger }, at(RUN))).toEqual({ expired: 0, lifted: 0, reminders: 0, failed: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const f of [ended, in60, in45, in30, in7]) expect(mailbox.to(f.email)).toHaveLength(1);
    expect(mailbox.to(in61.email)).toHaveLength(0);
    expect(await search<Communication>(`Communication?recipient=Practitioner/${in60.id}`)).toHaveLength(1);
    expect((await stored(ended.id)).meta?.versionId).toBe('2');

    // Days later the 60-day reminder is not sent again; 30 days before the end the next one is.
    expect((await server.container.licenseLifecycle!.runExpiry(at(addDays(RUN, 20)))).failed).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subjects(in60.email)).toHaveLength(1);
    await server.container.licenseLifecycle!.runExpiry(at(addDays(RUN, 30)));
    expect((await mailbox.waitFor(in60.email, 2)).subject).toBe(`Your license ${in60.numbers[0]} expires in 30 days`);
    // in61 got its 60-day reminder late (41 days before, at RUN + 20), and not again at RUN + 30.
    expect(subjects(in61.email)).toEqual([`Your license ${in61.numbers[0]} expires in 41 days`]);
  });

  it('lifts a suspension the day after its last day: active again, or expired when the term ended meanwhile', async () => {
    const ends = { url: LICENSE_SUSPENDED_UNTIL_EXTENSION, valueDate: addDays(RUN, 5) };
    const running = await fixture(addDays(RUN, 200));
    const lapsing = await fixture(addDays(RUN, 2));
    const openEnded = await fixture(addDays(RUN, 200));
    const suspend = async (id: string, end?: string) => {
      const res = await op(id, 'suspend-license', { reason: 'Investigation', ...(end ? { end: { date: end } } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as Practitioner;
    };
    expect((await suspend(running.id, addDays(RUN, 5))).qualification?.[0]?.extension).toContainEqual(ends);
    await suspend(lapsing.id, addDays(RUN, 5));
    expect((await suspend(openEnded.id)).qualification?.[0]?.extension?.map((e) => e.url)).not.toContain(LICENSE_SUSPENDED_UNTIL_EXTENSION);

    // The last day is still suspended.
    await server.container.licenseLifecycle!.runExpiry(at(addDays(RUN, 5)));
    for (const f of [running, lapsing, openEnded]) expect(statusOf(await stored(f.id), f.numbers[0]!)).toBe('suspended');

    const report = await server.container.licenseLifecycle!.runExpiry(at(addDays(RUN, 6)));
    expect(report).toMatchObject({ lifted: 2, failed: 0 });
    const lifted = await stored(running.id);
    expect(statusOf(lifted, running.numbers[0]!)).toBe('active');
    expect(lifted.qualification?.[0]?.extension?.map((e) => e.url)).not.toContain(LICENSE_SUSPENDED_UNTIL_EXTENSION);
    expect(lifted.meta?.versionId).toBe('3');
    const last = (await provenances('Practitioner', running.id)).at(-1);
    expect(last).toMatchObject({ activity: { text: 'license-suspension-end' }, agent: [{ who: { reference: 'Organization/registry' } }], reason: [{ text: `The suspension ended on ${addDays(RUN, 5)}` }] });
    expect((await mailbox.waitFor(running.email, 2)).subject).toBe(`Your license ${running.numbers[0]} is active again`);
    // Its term ended during the suspension: lifting it leaves the license expired.
    expect(statusOf(await stored(lapsing.id), lapsing.numbers[0]!)).toBe('expired');
    expect(subjects(lapsing.email)).toContain(`Your license ${lapsing.numbers[0]} is expired`);
    // Without a last day, only an officer lifts it.
    expect(statusOf(await stored(openEnded.id), openEnded.numbers[0]!)).toBe('suspended');
    expect((await server.container.licenseLifecycle!.runExpiry(at(addDays(RUN, 7)))).lifted).toBe(0);
  });

  it('after a renewal, reminders start afresh for the new end date', async () => {
    const pro = await fixture(addDays(RUN, 5));
    await server.container.licenseLifecycle!.runExpiry(at(RUN));
    expect((await mailbox.waitFor(pro.email)).subject).toContain('expires in 5 days');
    // Renewed (by an officer, today's clock) far beyond RUN + 60: no reminder for the new term at RUN.
    expect((await op(pro.id, 'renew-license')).status).toBe(200);
    await mailbox.waitFor(pro.email, 2);
    const newEnd = findLicense(await stored(pro.id), pro.numbers[0]!)!.end!;
    expect(newEnd).toBe(addMonths(addDays(RUN, 5), 12));
    await server.container.licenseLifecycle!.runExpiry(at(addDays(newEnd, -7)));
    expect((await mailbox.waitFor(pro.email, 3)).subject).toContain('expires in 7 days');
  });
});

describe('without Redis', () => {
  it('notices are delivered in-process and the expiry run still works', async () => {
    const outbox = new Mailbox();
    const alone = await startTestServer({ authEnabled: true, redisUrl: 'redis://127.0.0.1:1' }, { mailTransport: outbox });
    try {
      const bearer = (role: Role) => alone.container.auth.tokens.issue({ subject: role, kind: 'user', role, clientId: 'test', scope: 'user/*.cruds' }).accessToken;
      const email = 'offline.pro@example.org';
      const practitioner: Practitioner = {
        resourceType: 'Practitioner',
        telecom: [{ system: 'email', value: email }],
        qualification: [licenseQualification({ number: 'BAO-DOC-2026-90001', professionalType: 'doctor', start: addDays(TODAY, -300), end: addDays(TODAY, 30), status: 'active' })],
      };
      const created = await alone.request.post('/fhir/Practitioner').set('Authorization', `Bearer ${bearer('admin')}`).set('Content-Type', FHIR_JSON).send(practitioner);
      expect(created.status).toBe(201);
      const report = await alone.container.licenseLifecycle!.runExpiry(new Date());
      expect(report).toEqual({ expired: 0, lifted: 0, reminders: 1, failed: 0 });
      expect((await outbox.waitFor(email)).subject).toBe('Your license BAO-DOC-2026-90001 expires in 30 days');
      const res = await alone.request.post(`/fhir/Practitioner/${created.body.id}/$revoke-license`).set('Authorization', `Bearer ${bearer('registry-admin')}`).set('Content-Type', FHIR_JSON).send(parameters({ reason: 'Fraud' }));
      expect(res.status).toBe(200);
      expect((await outbox.waitFor(email, 2)).subject).toBe('Your license BAO-DOC-2026-90001 is revoked');
    } finally {
      await alone.close();
    }
  }, 60_000);
});
