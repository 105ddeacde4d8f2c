/**
 * Delivers one license notice (the work of a queued notification job): the in-app notice, then
 * the email. In-app is a Communication (status completed, category notification, recipient the
 * Practitioner, sender the registry, payload the text, identifier the notice key), which is what
 * the chat/notification views list for a recipient. Its id derives from the notice key and it is
 * created only if absent, so a retried job never shows a notice twice. The email goes to the
 * Practitioner's email telecom, else to the active account linked to it; none: in-app only.
 */
import { createHash } from 'node:crypto';
import type { Communication, Practitioner } from '@medplum/fhirtypes';
import { asSystem } from '../../../auth/request-access';
import type { FhirContext } from '../../../fhir/interactions/context';
import { FhirError } from '../../../fhir/outcomes';
import type { Email } from '../../../jobs/mail-transport';
import { REGISTRY_ORGANIZATION_REFERENCE } from '../license';
import type { LicenseNotice } from './messages';
import { noticeText } from './messages';

export const NOTICE_IDENTIFIER_SYSTEM = 'https://baobab.health/fhir/sid/license-notice';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/communication-category';

export interface DeliveryDeps {
  ctx: FhirContext;
  /** Queues an email (the email queue). */
  sendEmail(email: Email): Promise<void>;
  /** The email of the active account whose fhirUser is this reference. */
  accountEmail(fhirUser: string): Promise<string | undefined>;
}

export function noticeId(key: string): string {
  return `lic-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

export function noticeCommunication(notice: LicenseNotice, text: { subject: string; text: string }, sent: Date): Communication & { id: string } {
  return {
    resourceType: 'Communication',
    id: noticeId(notice.key),
    identifier: [{ system: NOTICE_IDENTIFIER_SYSTEM, value: notice.key }],
    status: 'completed',
    category: [{ coding: [{ system: CATEGORY, code: 'notification' }] }],
    recipient: [{ reference: `Practitioner/${notice.practitionerId}` }],
    sender: { reference: REGISTRY_ORGANIZATION_REFERENCE },
    sent: sent.toISOString(),
    topic: { text: text.subject },
    payload: [{ contentString: text.text }],
  };
}

export function emailOf(practitioner: Practitioner): string | undefined {
  const telecom = (practitioner.telecom ?? []).filter((t) => t.system === 'email' && t.value && t.period?.end === undefined);
  return (telecom.find((t) => t.use === 'work') ?? telecom[0])?.value?.toLowerCase();
}

export async function deliverNotice(deps: DeliveryDeps, notice: LicenseNotice): Promise<void> {
  const { ctx } = deps;
  const text = noticeText(notice, ctx.config.registryName);
  const practitioner = (await asSystem(() => ctx.service.read('Practitioner', notice.practitionerId))).resource as Practitioner;
  const communication = noticeCommunication(notice, text, new Date());
  try {
    await asSystem(() => ctx.service.update('Communication', communication.id, communication, { createOnly: true }));
  } catch (err) {
    // Stored by an earlier attempt of this job: go on with the email it may not have queued.
    if (!(err instanceof FhirError) || (err.status !== 409 && err.status !== 412)) throw err;
  }
  const to = emailOf(practitioner) ?? (await deps.accountEmail(`Practitioner/${notice.practitionerId}`));
  if (to) await deps.sendEmail({ to, subject: text.subject, text: text.text });
}
