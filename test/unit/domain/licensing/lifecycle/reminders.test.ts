import { describe, expect, it } from 'vitest';
import type { License, LicenseStatus } from '../../../../../src/domain/licensing/license';
import { addDays } from '../../../../../src/domain/licensing/lifecycle/dates';
import { dueReminder } from '../../../../../src/domain/licensing/lifecycle/reminders';
import { msUntilNextRun } from '../../../../../src/jobs/license-expiry-queue';

const TODAY = '2026-06-15';
const license = (daysLeft: number, status: LicenseStatus = 'active'): License => ({ number: 'N-1', professionalType: 'doctor', status, start: '2025-01-01', end: addDays(TODAY, daysLeft), index: 0 });

describe('renewal reminders', () => {
  it('are due 60, 30 and 7 days before the end, and stay due until the next one', () => {
    const days = (left: number) => dueReminder('p1', license(left), TODAY)?.days;
    expect(days(61)).toBeUndefined();
    expect(days(60)).toBe(60);
    expect(days(31)).toBe(60);
    expect(days(30)).toBe(30);
    expect(days(8)).toBe(30);
    expect(days(7)).toBe(7);
    expect(days(0)).toBe(7);
    expect(days(-1)).toBeUndefined();
  });

  it('are keyed by practitioner, license, end date and reminder, so a renewal starts afresh', () => {
    expect(dueReminder('p1', license(45), TODAY)).toEqual({ days: 60, daysLeft: 45, key: `p1|N-1|${addDays(TODAY, 45)}|60` });
  });

  it('concern active licenses only', () => {
    for (const status of ['suspended', 'expired', 'revoked', 'inactive'] as const) expect(dueReminder('p1', license(7, status), TODAY)).toBeUndefined();
    expect(dueReminder('p1', { ...license(7), end: undefined }, TODAY)).toBeUndefined();
  });
});

describe('the daily run time', () => {
  it('is the next 00:01 UTC', () => {
    expect(msUntilNextRun(new Date('2026-06-15T00:00:00Z'))).toBe(60_000);
    expect(msUntilNextRun(new Date('2026-06-15T00:01:00Z'))).toBe(86_400_000);
    expect(msUntilNextRun(new Date('2026-06-15T23:30:00Z'))).toBe(31 * 60_000);
  });
});
