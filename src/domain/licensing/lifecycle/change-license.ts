/**
 * One license status change, shared by the operations and the daily expiry job: the new
 * Practitioner version (a conditional write that re-reads and re-applies on a concurrent change,
 * so two officers cannot both act on the same status), its Provenance, and the notice to the
 * professional (queued; a queueing failure is logged, never undoes the change).
 * Runs as the server itself: the caller's right to act was checked by the operation.
 */
import type { Practitioner, Resource } from '@medplum/fhirtypes';
import type { Logger } from '../../../platform/logger';
import { asSystem } from '../../../auth/request-access';
import type { FhirContext } from '../../../fhir/interactions/context';
import { FhirError, issue } from '../../../fhir/outcomes';
import type { License } from '../license';
import { findLicense, withLicense } from '../license';
import { selectLicense } from './inputs';
import type { NoticeKind } from './messages';
import type { Agent } from './officer';
import { lifecycleProvenance } from './records';
import { notifierOf } from './services';
import type { LifecycleAction } from './transitions';
import { transition } from './transitions';

export interface ChangeRequest {
  practitionerId: string;
  /** Undefined: the Practitioner's only license. */
  licenseNumber?: string;
  action: LifecycleAction;
  /** The registry's today (YYYY-MM-DD) and the clock of the records. */
  today: string;
  now: Date;
  termMonths: number;
  agent: Agent;
  /** The Provenance activity: the operation code, or `license-expiry`. */
  activity: string;
  reason?: string;
  /** A suspension's end date. */
  until?: string;
}

export interface ChangeResult {
  practitioner: Practitioner;
  license: License;
  versionId: number;
}

const NOTICES: Record<LifecycleAction, NoticeKind> = { suspend: 'suspended', revoke: 'revoked', reactivate: 'reactivated', renew: 'renewed', expire: 'expired' };

export async function changeLicense(ctx: FhirContext, request: ChangeRequest, log: Logger): Promise<ChangeResult> {
  const { practitionerId, action } = request;
  let previousVersionId: number | undefined;
  let number = request.licenseNumber;
  const stored = await asSystem(() =>
    ctx.service.patch('Practitioner', practitionerId, (current: Resource) => {
      const practitioner = current as Practitioner;
      const license = selectLicense(practitioner, request.licenseNumber);
      const result = transition(license, action, request.today, request.termMonths);
      if (!result.ok) throw new FhirError([issue(result.kind === 'final' ? 'business-rule' : 'conflict', result.reason)], result.kind === 'final' ? 422 : 409);
      previousVersionId = Number(practitioner.meta?.versionId) || undefined;
      number = license.number;
      const until = action === 'suspend' && request.until ? { suspendedUntil: request.until } : {};
      return withLicense(practitioner, license.number, { ...result.change, ...until });
    }),
  );
  const practitioner = (stored.resource ?? (await asSystem(() => ctx.service.vread('Practitioner', practitionerId, String(stored.versionId)))).resource) as Practitioner;
  const license = findLicense(practitioner, number!)!;
  const provenance = lifecycleProvenance({
    target: `Practitioner/${practitionerId}`,
    versionId: stored.versionId,
    previousVersionId,
    activity: request.activity,
    agent: request.agent,
    reason: request.reason,
    recorded: request.now,
    ...(action === 'suspend' ? { period: { start: request.today, ...(request.until ? { end: request.until } : {}) } } : {}),
  });
  const created = await asSystem(() => ctx.service.create('Provenance', provenance));
  await notifierOf(ctx)
    ?.notify({
      key: `change-${created.id}`,
      practitionerId,
      kind: NOTICES[action],
      licenseNumber: license.number,
      status: license.status,
      ...(license.end ? { end: license.end } : {}),
      ...(request.reason ? { reason: request.reason } : {}),
      ...(request.until ? { until: request.until } : {}),
    })
    .catch((err: unknown) => log.error({ err, practitionerId, action }, 'the license notice could not be queued'));
  return { practitioner, license, versionId: stored.versionId };
}
