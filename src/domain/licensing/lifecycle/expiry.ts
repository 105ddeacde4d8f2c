/**
 * The daily license run (issue 7): active licenses past their end date become expired (a new
 * Practitioner version and its Provenance, by the registry, and a notice), suspensions past their
 * last day are lifted (active again, or expired when the term ended meanwhile), and renewal reminders
 * go out 60, 30 and 7 days before the end date, each once (reminders.ts). Safe to run twice a
 * day, after a restart, or in two processes at once: expiring re-checks the status in a
 * conditional write, and a reminder is claimed in the ReminderStore before it is queued.
 * `now` is a parameter so tests (and an operator catching up) can run it for a chosen day.
 */
import type { Practitioner } from '@medplum/fhirtypes';
import { asSystem } from '../../../auth/request-access';
import type { FhirContext } from '../../../fhir/interactions/context';
import { FhirError } from '../../../fhir/outcomes';
import type { Logger } from '../../../platform/logger';
import type { Criterion } from '../../../store/search-criteria';
import { LICENSE_NUMBER_SYSTEM, REGISTRY_ORGANIZATION_REFERENCE, licensesOf, today as todayOf } from '../license';
import { changeLicense } from './change-license';
import type { ReminderStore } from './reminders';
import { dueReminder } from './reminders';
import { notifierOf } from './services';
import { termEnded } from './transitions';

export interface ExpiryDeps {
  ctx: FhirContext;
  reminders: ReminderStore;
  logger: Logger;
}

export interface ExpiryReport {
  expired: number;
  /** Suspensions lifted because their last day had passed. */
  lifted: number;
  reminders: number;
  /** Licenses whose change or reminder failed (logged; the next run tries again). */
  failed: number;
}

const PAGE = 200;
const LICENSED: Criterion[] = [{ index: 'tok', p: 'license-number', values: [{ s: LICENSE_NUMBER_SYSTEM }] }];

export async function runLicenseExpiry(deps: ExpiryDeps, now: Date = new Date()): Promise<ExpiryReport> {
  const report: ExpiryReport = { expired: 0, lifted: 0, reminders: 0, failed: 0 };
  const today = todayOf(now);
  let after: string | undefined;
  do {
    const page = await asSystem(() => deps.ctx.service.search('Practitioner', { criteria: LICENSED, sort: [], count: PAGE, after, total: false }));
    for (const version of page.versions) {
      if (version.resource) await runFor(deps, version.resource as Practitioner, today, now, report);
    }
    after = page.next;
  } while (after);
  deps.logger.info({ today, ...report }, 'license expiry run');
  return report;
}

async function runFor(deps: ExpiryDeps, practitioner: Practitioner, today: string, now: Date, report: ExpiryReport): Promise<void> {
  const id = practitioner.id!;
  for (const license of licensesOf(practitioner)) {
    try {
      if (license.status === 'active' && termEnded(license, today)) {
        await expire(deps, id, license.number, today, now);
        report.expired++;
      } else if (license.status === 'suspended' && license.suspendedUntil !== undefined && license.suspendedUntil < today) {
        await liftSuspension(deps, id, license.number, license.suspendedUntil, today, now);
        report.lifted++;
      } else if (await remind(deps, id, license, today, now)) {
        report.reminders++;
      }
    } catch (err) {
      // Changed meanwhile by an officer or another run: nothing left to do for this license.
      if (err instanceof FhirError && (err.status === 409 || err.status === 422)) continue;
      report.failed++;
      deps.logger.error({ err, practitioner: id, license: license.number }, 'license expiry run failed for a license');
    }
  }
}

function expire(deps: ExpiryDeps, practitionerId: string, licenseNumber: string, today: string, now: Date) {
  return changeLicense(
    deps.ctx,
    {
      practitionerId,
      licenseNumber,
      action: 'expire',
      today,
      now,
      termMonths: deps.ctx.config.registryLicenseTermMonths,
      agent: { reference: REGISTRY_ORGANIZATION_REFERENCE, display: `${deps.ctx.config.registryName} (daily license expiry)` },
      activity: 'license-expiry',
      reason: 'The license period ended without renewal',
    },
    deps.logger,
  );
}

function liftSuspension(deps: ExpiryDeps, practitionerId: string, licenseNumber: string, until: string, today: string, now: Date) {
  return changeLicense(
    deps.ctx,
    {
      practitionerId,
      licenseNumber,
      action: 'reactivate',
      today,
      now,
      termMonths: deps.ctx.config.registryLicenseTermMonths,
      agent: { reference: REGISTRY_ORGANIZATION_REFERENCE, display: `${deps.ctx.config.registryName} (daily license run)` },
      activity: 'license-suspension-end',
      reason: `The suspension ended on ${until}`,
    },
    deps.logger,
  );
}

async function remind(deps: ExpiryDeps, practitionerId: string, license: ReturnType<typeof licensesOf>[number], today: string, now: Date): Promise<boolean> {
  const due = dueReminder(practitionerId, license, today);
  const notifier = notifierOf(deps.ctx);
  if (!due || !notifier) return false;
  if (!(await deps.reminders.claim(due.key, now))) return false;
  try {
    await notifier.notify({
      key: `reminder-${due.key}`,
      practitionerId,
      kind: 'reminder',
      licenseNumber: license.number,
      status: license.status,
      end: license.end!,
      daysLeft: due.daysLeft,
    });
    return true;
  } catch (err) {
    await deps.reminders.release(due.key).catch(() => undefined);
    throw err;
  }
}
