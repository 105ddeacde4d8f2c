/**
 * Renewal reminders: 60, 30 and 7 days before an active license's end date. The job may miss a
 * day (a restart, an outage), so a reminder is due from its day until the next, shorter one is:
 * 45 days before the end the 60-day reminder is still due if it was never sent. Only the most
 * urgent due reminder is sent, and each once (the key, remembered by a ReminderStore).
 */
import type { License } from '../license';
import { daysBetween } from './dates';

export const REMINDER_DAYS = [60, 30, 7] as const;
export type ReminderDays = (typeof REMINDER_DAYS)[number];

export interface DueReminder {
  days: ReminderDays;
  daysLeft: number;
  /** Unique per practitioner, license, term (its end date) and reminder: a renewal starts afresh. */
  key: string;
}

export function dueReminder(practitionerId: string, license: License, today: string): DueReminder | undefined {
  if (license.status !== 'active' || !license.end) return undefined;
  const daysLeft = daysBetween(today, license.end);
  if (daysLeft < 0) return undefined;
  const days = [...REMINDER_DAYS].reverse().find((d) => daysLeft <= d);
  if (days === undefined) return undefined;
  return { days, daysLeft, key: `${practitionerId}|${license.number}|${license.end}|${days}` };
}

/** Remembers which reminders were sent, shared by every process running the job. */
export interface ReminderStore {
  /** True when this call claimed the key (it was not claimed before, by anyone). */
  claim(key: string, at: Date): Promise<boolean>;
  /** Gives a claim back (the reminder could not be queued), so the next run tries again. */
  release(key: string): Promise<void>;
}
