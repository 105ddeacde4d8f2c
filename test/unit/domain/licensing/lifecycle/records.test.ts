import { describe, expect, it } from 'vitest';
import type { Practitioner } from '@medplum/fhirtypes';
import { licenseQualification } from '../../../../../src/domain/licensing/license';
import { noticeCommunication, noticeId, emailOf } from '../../../../../src/domain/licensing/lifecycle/deliver';
import { selectLicense } from '../../../../../src/domain/licensing/lifecycle/inputs';
import { noticeText } from '../../../../../src/domain/licensing/lifecycle/messages';
import { assertOfficer, officerReference } from '../../../../../src/domain/licensing/lifecycle/officer';
import { lifecycleProvenance } from '../../../../../src/domain/licensing/lifecycle/records';
import { FhirError } from '../../../../../src/fhir/outcomes';
import type { Access } from '../../../../../src/auth/access';

const qualification = (number: string) => licenseQualification({ number, professionalType: 'doctor', start: '2026-01-01', end: '2026-12-31', status: 'active' });
const practitioner = (...numbers: string[]): Practitioner => ({ resourceType: 'Practitioner', id: 'p1', qualification: numbers.map(qualification) });
const tokenAccess = (role: string | undefined, kind: 'user' | 'client' = 'user', fhirUser?: string): Access =>
  ({ mode: 'token', auth: { subject: 'acc-1', kind, role, clientId: 'c', scopes: [], resourceScopes: [], tokenId: 't', expiresAt: 0, ...(fhirUser ? { fhirUser } : {}) } }) as Access;

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof FhirError ? err.status : -1;
  }
  return undefined;
}

describe('which license', () => {
  it('is the named one, or the only one', () => {
    expect(selectLicense(practitioner('A', 'B'), 'B').number).toBe('B');
    expect(selectLicense(practitioner('A'), undefined).number).toBe('A');
    expect(statusOf(() => selectLicense(practitioner('A', 'B'), undefined))).toBe(400);
    expect(statusOf(() => selectLicense(practitioner('A'), 'Z'))).toBe(422);
    expect(statusOf(() => selectLicense(practitioner(), undefined))).toBe(422);
  });
});

describe('who may', () => {
  it('registry officers and admins signed in as users; nobody else', () => {
    expect(statusOf(() => assertOfficer(tokenAccess('registry-admin'), 'x'))).toBeUndefined();
    expect(statusOf(() => assertOfficer(tokenAccess('admin'), 'x'))).toBeUndefined();
    expect(statusOf(() => assertOfficer({ mode: 'open' }, 'x'))).toBeUndefined();
    for (const role of ['doctor', 'nurse', 'clerk', 'patient', undefined]) expect(statusOf(() => assertOfficer(tokenAccess(role), 'x'))).toBe(403);
    expect(statusOf(() => assertOfficer(tokenAccess('registry-admin', 'client'), 'x'))).toBe(403);
  });

  it('are named by their FHIR identity, else their account', () => {
    expect(officerReference(tokenAccess('registry-admin', 'user', 'Practitioner/o1'))).toEqual({ reference: 'Practitioner/o1' });
    expect(officerReference(tokenAccess('admin'))).toMatchObject({ identifier: { system: 'urn:baobab:account', value: 'acc-1' } });
  });
});

describe('records', () => {
  it('a Provenance targets the new version and names the one it revised', () => {
    const provenance = lifecycleProvenance({ target: 'Practitioner/p1', versionId: 3, previousVersionId: 2, activity: 'suspend-license', agent: { reference: 'Practitioner/o1' }, reason: 'why', recorded: new Date('2026-06-15T10:00:00Z'), period: { start: '2026-06-15', end: '2026-07-01' } });
    expect(provenance).toMatchObject({
      target: [{ reference: 'Practitioner/p1/_history/3' }],
      entity: [{ role: 'revision', what: { reference: 'Practitioner/p1/_history/2' } }],
      activity: { coding: [{ code: 'UPDATE' }], text: 'suspend-license' },
      agent: [{ who: { reference: 'Practitioner/o1' }, onBehalfOf: { reference: 'Organization/registry' } }],
      reason: [{ text: 'why' }],
      occurredPeriod: { start: '2026-06-15', end: '2026-07-01' },
      recorded: '2026-06-15T10:00:00.000Z',
    });
  });

  it('a notice is a completed notification Communication with a stable id per event', () => {
    const notice = { key: 'change-1', practitionerId: 'p1', kind: 'suspended' as const, licenseNumber: 'A', status: 'suspended' as const, reason: 'r', until: '2026-07-01' };
    const text = noticeText(notice, 'Registry');
    expect(text).toEqual({ subject: 'Your license A is suspended', text: 'Your license A has been suspended until 2026-07-01. Reason: r' });
    const communication = noticeCommunication(notice, text, new Date('2026-06-15T00:00:00Z'));
    expect(communication).toMatchObject({ id: noticeId('change-1'), status: 'completed', recipient: [{ reference: 'Practitioner/p1' }], payload: [{ contentString: text.text }], category: [{ coding: [{ code: 'notification' }] }] });
    expect(noticeId('change-1')).toMatch(/^lic-[0-9a-f]{40}$/);
    expect(noticeId('change-1')).not.toBe(noticeId('change-2'));
  });

  it('reminders say how long is left, today included', () => {
    const reminder = (daysLeft: number) => noticeText({ key: 'k', practitionerId: 'p1', kind: 'reminder', licenseNumber: 'A', status: 'active', end: '2026-07-01', daysLeft }, 'Registry').subject;
    expect([reminder(60), reminder(1), reminder(0)]).toEqual(['Your license A expires in 60 days', 'Your license A expires in 1 day', 'Your license A expires today']);
  });

  it('emails the work address first, ignoring ended ones', () => {
    expect(emailOf({ resourceType: 'Practitioner', telecom: [{ system: 'email', value: 'Home@x.org' }, { system: 'email', value: 'Work@x.org', use: 'work' }] })).toBe('work@x.org');
    expect(emailOf({ resourceType: 'Practitioner', telecom: [{ system: 'email', value: 'old@x.org', period: { end: '2020-01-01' } }, { system: 'phone', value: '1' }] })).toBeUndefined();
  });
});
