/**
 * Loading what a public view is built from: the Practitioner holding a license number, and for a
 * page of Practitioners their PractitionerRoles (specialisations) and disciplinary actions, one
 * search per kind for the whole page.
 */
import type { Basic, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { FhirContext } from '../../../fhir/interactions/context';
import { LICENSE_NUMBER_SYSTEM, REGISTRY_RECORD_SYSTEM, SPECIALTY_SYSTEM, today } from '../license';
import type { PublicRecord } from './public-view';
import { publicRecord } from './public-view';
import { escapeSearchValue, searchAsSystem } from './system-search';

/** License numbers the registry issues (`BAO-DOC-2026-00001`); anything else cannot be one. */
const LICENSE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
/** Enough for any real record; a page never needs more. */
const MAX_RELATED = 1000;

export function isPlausibleLicenseNumber(value: string): boolean {
  return LICENSE_NUMBER.test(value);
}

export async function practitionerWithLicense(ctx: FhirContext, number: string): Promise<Practitioner | undefined> {
  if (!isPlausibleLicenseNumber(number)) return undefined;
  const page = await searchAsSystem<Practitioner>(ctx, 'Practitioner', { 'license-number': [`${LICENSE_NUMBER_SYSTEM}|${escapeSearchValue(number)}`] }, { count: 2 });
  return page.resources[0];
}

/** `Practitioner/id` from a relative or absolute reference. */
function practitionerKey(reference: string | undefined): string[] {
  const match = reference ? /(?:^|\/)(Practitioner\/[^/]+)$/.exec(reference) : null;
  return match ? [match[1]!] : [];
}

function groupBy<T>(items: readonly T[], keysOf: (item: T) => string[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) for (const key of keysOf(item)) map.set(key, [...(map.get(key) ?? []), item]);
  return map;
}

/** The public views of these Practitioners, in the same order. */
export async function publicRecords(ctx: FhirContext, practitioners: readonly Practitioner[], now = new Date()): Promise<PublicRecord[]> {
  if (practitioners.length === 0) return [];
  const refs = practitioners.map((p) => escapeSearchValue(`Practitioner/${p.id}`)).join(',');
  const [roles, actions] = await Promise.all([
    searchAsSystem<PractitionerRole>(ctx, 'PractitionerRole', { practitioner: [refs], specialty: [`${SPECIALTY_SYSTEM}|`] }, { count: MAX_RELATED }),
    searchAsSystem<Basic>(ctx, 'Basic', { subject: [refs], code: [`${REGISTRY_RECORD_SYSTEM}|disciplinary-action`] }, { count: MAX_RELATED }),
  ]);
  const rolesOf = groupBy(roles.resources, (r) => practitionerKey(r.practitioner?.reference));
  const actionsOf = groupBy(actions.resources, (b) => practitionerKey(b.subject?.reference));
  const day = today(now);
  return practitioners.map((p) => publicRecord(p, rolesOf.get(`Practitioner/${p.id}`) ?? [], actionsOf.get(`Practitioner/${p.id}`) ?? [], day));
}
