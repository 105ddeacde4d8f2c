/**
 * The license lifecycle's background parts, started and stopped by the container: the notice
 * queue (whose jobs write the in-app Communication and queue the email) and the daily expiry
 * job. The notifier is attached to the FhirContext for the lifecycle operations.
 */
import type { FhirContext } from '../fhir/interactions/context';
import type { ExpiryReport } from '../domain/licensing/lifecycle/expiry';
import { runLicenseExpiry } from '../domain/licensing/lifecycle/expiry';
import { deliverNotice } from '../domain/licensing/lifecycle/deliver';
import type { ReminderStore } from '../domain/licensing/lifecycle/reminders';
import { attachNotifier } from '../domain/licensing/lifecycle/services';
import type { Logger } from '../platform/logger';
import type { EmailQueue } from './email-queue';
import { startLicenseExpiryJob } from './license-expiry-queue';
import { startLicenseNoticeQueue } from './license-notification-queue';

export interface LicenseLifecycleDeps {
  fhir: FhirContext;
  emails: EmailQueue;
  reminders: ReminderStore;
  accountEmail(fhirUser: string): Promise<string | undefined>;
  logger: Logger;
  redisReachable: boolean;
}

export interface LicenseLifecycle {
  /** One expiry run for the day of `now` (what the daily job does; tests pick the day). */
  runExpiry(now?: Date): Promise<ExpiryReport>;
  close(): Promise<void>;
}

export async function startLicenseLifecycle(deps: LicenseLifecycleDeps): Promise<LicenseLifecycle> {
  const { fhir, logger } = deps;
  const redis = { redisUrl: fhir.config.redisUrl, redisPrefix: fhir.config.redisPrefix, redisReachable: deps.redisReachable, logger };
  const notices = await startLicenseNoticeQueue({
    ...redis,
    deliver: (notice) => deliverNotice({ ctx: fhir, sendEmail: (email) => deps.emails.enqueue(email), accountEmail: deps.accountEmail }, notice),
  });
  attachNotifier(fhir, notices);
  const runExpiry = (now: Date = new Date()) => runLicenseExpiry({ ctx: fhir, reminders: deps.reminders, logger }, now);
  const daily = await startLicenseExpiryJob({ ...redis, run: runExpiry }).catch(async (err: unknown) => {
    await notices.close();
    throw err;
  });
  return {
    runExpiry,
    async close() {
      await daily.close();
      await notices.close();
    },
  };
}
