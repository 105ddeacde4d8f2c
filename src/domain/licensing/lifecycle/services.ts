/**
 * What the lifecycle operations need beyond the FhirContext (the notification queue), attached to
 * the context by the container: operation handlers only receive the context, and several servers
 * (tests) may run in one process, so a module-level singleton would not do.
 */
import type { FhirContext } from '../../../fhir/interactions/context';
import type { LicenseNotice } from './messages';

export interface Notifier {
  /** Queues the email and in-app notices; resolves once queued (not delivered). */
  notify(notice: LicenseNotice): Promise<void>;
}

const byContext = new WeakMap<FhirContext, Notifier>();

export function attachNotifier(ctx: FhirContext, notifier: Notifier): void {
  byContext.set(ctx, notifier);
}

export function notifierOf(ctx: FhirContext): Notifier | undefined {
  return byContext.get(ctx);
}
