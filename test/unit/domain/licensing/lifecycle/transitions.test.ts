import { describe, expect, it } from 'vitest';
import type { License, LicenseStatus } from '../../../../../src/domain/licensing/license';
import type { LifecycleAction } from '../../../../../src/domain/licensing/lifecycle/transitions';
import { renewedPeriod, termEnded, transition } from '../../../../../src/domain/licensing/lifecycle/transitions';

const TODAY = '2026-06-15';
const license = (status: LicenseStatus, end = '2026-12-31', start = '2026-01-01'): License => ({ number: 'BAO-DOC-2026-00001', professionalType: 'doctor', status, start, end, index: 0 });
const run = (status: LicenseStatus, action: LifecycleAction, end?: string) => transition(license(status, end), action, TODAY, 12);

describe('license transitions', () => {
  it('suspends only active licenses', () => {
    expect(run('active', 'suspend')).toEqual({ ok: true, change: { status: 'suspended' } });
    for (const status of ['suspended', 'expired', 'inactive'] as const) expect(run(status, 'suspend')).toMatchObject({ ok: false, kind: 'conflict' });
  });

  it('revokes anything not yet revoked; a revoked license is final for every other action', () => {
    for (const status of ['active', 'suspended', 'expired', 'inactive'] as const) expect(run(status, 'revoke')).toEqual({ ok: true, change: { status: 'revoked' } });
    expect(run('revoked', 'revoke')).toMatchObject({ ok: false, kind: 'conflict' });
    for (const action of ['suspend', 'reactivate', 'renew', 'expire'] as const) {
      expect(run('revoked', action)).toMatchObject({ ok: false, kind: 'final', reason: expect.stringContaining('can never be') });
    }
  });

  it('reactivates suspended licenses: active within the term, expired when the term ended meanwhile', () => {
    expect(run('suspended', 'reactivate')).toEqual({ ok: true, change: { status: 'active' } });
    expect(run('suspended', 'reactivate', '2026-06-14')).toEqual({ ok: true, change: { status: 'expired' } });
    expect(run('suspended', 'reactivate', TODAY)).toEqual({ ok: true, change: { status: 'active' } });
    for (const status of ['active', 'expired', 'inactive'] as const) expect(run(status, 'reactivate')).toMatchObject({ ok: false, kind: 'conflict' });
  });

  it('renews active and expired licenses; suspended ones are reactivated first', () => {
    expect(run('active', 'renew')).toEqual({ ok: true, change: { status: 'active', end: '2027-12-31' } });
    expect(run('expired', 'renew', '2026-05-31')).toEqual({ ok: true, change: { status: 'active', start: TODAY, end: '2027-06-14' } });
    expect(run('suspended', 'renew')).toMatchObject({ ok: false, kind: 'conflict', reason: expect.stringContaining('reactivate it first') });
    expect(run('inactive', 'renew')).toMatchObject({ ok: false, kind: 'conflict' });
  });

  it('expires only active licenses past their (inclusive) end date', () => {
    expect(run('active', 'expire', '2026-06-14')).toEqual({ ok: true, change: { status: 'expired' } });
    expect(run('active', 'expire', TODAY)).toMatchObject({ ok: false });
    expect(run('suspended', 'expire', '2026-06-14')).toMatchObject({ ok: false });
  });

  it('computes renewal periods and term ends', () => {
    expect(termEnded(license('active', '2026-06-14'), TODAY)).toBe(true);
    expect(termEnded(license('active', TODAY), TODAY)).toBe(false);
    expect(renewedPeriod(license('active', '2026-06-20'), TODAY, 24)).toEqual({ end: '2028-06-20' });
    expect(renewedPeriod(license('expired', '2026-01-31'), TODAY, 1)).toEqual({ start: TODAY, end: '2026-07-14' });
  });
});
