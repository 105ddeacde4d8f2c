/**
 * The license state machine (issue 7, workflow point 6), pure so it can be tested without a
 * server. A transition either gives the license's new status and period, or is refused:
 * `final` when the license is revoked (nothing ever brings it back: 422), `conflict` when the
 * license is in the wrong state for this action right now (409).
 */
import type { License, LicenseStatus } from '../license';
import { addDays, addMonths } from './dates';

export type LifecycleAction = 'suspend' | 'revoke' | 'reactivate' | 'renew' | 'expire';

export interface LicenseChange {
  status: LicenseStatus;
  start?: string;
  end?: string;
}

export type TransitionResult = { ok: true; change: LicenseChange } | { ok: false; kind: 'final' | 'conflict'; reason: string };

/** Whether the license's term has ended on `today` (an end date is inclusive). */
export function termEnded(license: License, today: string): boolean {
  return license.end !== undefined && license.end < today;
}

/** The period of a renewal: the current end + term when still running, else from today (end inclusive). */
export function renewedPeriod(license: License, today: string, termMonths: number): { start?: string; end: string } {
  if (license.end && !termEnded(license, today)) return { end: addMonths(license.end, termMonths) };
  return { start: today, end: addDays(addMonths(today, termMonths), -1) };
}

const DONE: Record<LifecycleAction, string> = { suspend: 'suspended', revoke: 'revoked again', reactivate: 'reactivated', renew: 'renewed', expire: 'expired' };

const refused = (kind: 'final' | 'conflict', reason: string): TransitionResult => ({ ok: false, kind, reason });

export function transition(license: License, action: LifecycleAction, today: string, termMonths: number): TransitionResult {
  const { number, status } = license;
  if (status === 'revoked') {
    return refused(action === 'revoke' ? 'conflict' : 'final', `License ${number} is revoked; a revoked license can never be ${DONE[action]}`);
  }
  switch (action) {
    case 'suspend':
      if (status !== 'active') return refused('conflict', `License ${number} is ${status}; only an active license can be suspended`);
      return { ok: true, change: { status: 'suspended' } };
    case 'revoke':
      return { ok: true, change: { status: 'revoked' } };
    case 'reactivate':
      if (status !== 'suspended') return refused('conflict', `License ${number} is ${status}; only a suspended license can be reactivated`);
      // Lifting a suspension cannot extend the term: a license whose term ended meanwhile is expired.
      return { ok: true, change: { status: termEnded(license, today) ? 'expired' : 'active' } };
    case 'renew':
      if (status !== 'active' && status !== 'expired') {
        return refused('conflict', `License ${number} is ${status}; only an active or expired license can be renewed${status === 'suspended' ? ' (reactivate it first)' : ''}`);
      }
      return { ok: true, change: { status: 'active', ...renewedPeriod(license, today, termMonths) } };
    case 'expire':
      if (status !== 'active' || !termEnded(license, today)) return refused('conflict', `License ${number} is ${status} and not past its end date`);
      return { ok: true, change: { status: 'expired' } };
  }
}
