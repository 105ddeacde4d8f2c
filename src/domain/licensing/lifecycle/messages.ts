/**
 * What the professional is told about their license, the same words by email and in-app
 * (the Communication's payload). Kept free of private officer notes beyond the stated reason.
 */
import type { LicenseStatus } from '../license';

export type NoticeKind = 'suspended' | 'revoked' | 'reactivated' | 'renewed' | 'expired' | 'reminder';

export interface LicenseNotice {
  /** A unique key per event (the Provenance id or the reminder key): one notice per event. */
  key: string;
  practitionerId: string;
  kind: NoticeKind;
  licenseNumber: string;
  status: LicenseStatus;
  end?: string;
  reason?: string;
  /** Suspensions: until when. */
  until?: string;
  /** Reminders: days left until `end`. */
  daysLeft?: number;
}

export interface NoticeText {
  subject: string;
  text: string;
}

export function noticeText(notice: LicenseNotice, registryName: string): NoticeText {
  const n = notice.licenseNumber;
  const reason = notice.reason ? ` Reason: ${notice.reason}` : '';
  const ends = notice.end ? ` It is valid until ${notice.end}.` : '';
  switch (notice.kind) {
    case 'suspended':
      return { subject: `Your license ${n} is suspended`, text: `Your license ${n} has been suspended${notice.until ? ` until ${notice.until}` : ''}.${reason}` };
    case 'revoked':
      return { subject: `Your license ${n} is revoked`, text: `Your license ${n} has been revoked permanently.${reason}` };
    case 'reactivated':
      return notice.status === 'active'
        ? { subject: `Your license ${n} is active again`, text: `The suspension of your license ${n} has been lifted.${ends}${reason}` }
        : { subject: `Your license ${n} is expired`, text: `The suspension of your license ${n} has been lifted, but its term ended on ${notice.end}: renew it to practise.${reason}` };
    case 'renewed':
      return { subject: `Your license ${n} is renewed`, text: `Your license ${n} has been renewed.${ends}` };
    case 'expired':
      return { subject: `Your license ${n} has expired`, text: `Your license ${n} expired on ${notice.end}. Apply to ${registryName} to renew it.` };
    case 'reminder': {
      const when = notice.daysLeft === 0 ? 'today' : notice.daysLeft === 1 ? 'in 1 day' : `in ${notice.daysLeft} days`;
      return {
        subject: `Your license ${n} expires ${when}`,
        text: `Your license ${n} expires on ${notice.end} (${when}). Apply to ${registryName} to renew it in time.`,
      };
    }
  }
}
