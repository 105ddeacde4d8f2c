/**
 * $registry-search inputs → a Practitioner search query (pure). Every value is checked (codes
 * against our reference lists, lengths bounded) and escaped, so user text only ever becomes one
 * literal search value: `{"$gt":""}` is a name like any other, and regex metacharacters match
 * themselves. Only professionals holding a registry license are searched.
 */
import type { Query } from '../../../fhir/rest/types';
import { errors } from '../../../fhir/outcomes';
import { LICENSE_NUMBER_SYSTEM, LICENSE_STATUSES, PROFESSIONAL_TYPE_SYSTEM, SPECIALTY_SYSTEM } from '../license';
import type { Choice } from './reference-lists';
import { professionalTypes, specialties, states } from './reference-lists';
import { isPlausibleLicenseNumber } from './registry-records';
import { escapeSearchValue } from './system-search';

export interface RegistrySearchInput {
  name?: string;
  licenseNumber?: string;
  professionalType?: string;
  specialization?: string;
  state?: string;
  status?: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const MAX_NAME_LENGTH = 100;
const MAX_NAME_WORDS = 5;

function knownCode(name: string, value: string, choices: readonly Choice[]): string {
  if (!choices.some((c) => c.code === value)) throw errors.invalid(`Unknown ${name} '${value.slice(0, 40)}'`, name);
  return value;
}

/** The search query, or undefined when nothing can match (a license number the registry cannot have issued). */
export function registryQuery(input: RegistrySearchInput): Query | undefined {
  const query: Query = {};
  const name = input.name?.trim();
  if (name) {
    if (name.length > MAX_NAME_LENGTH) throw errors.invalid(`name is longer than ${MAX_NAME_LENGTH} characters`, 'name');
    // Each word must start a part of the name (repeated parameters are ANDed).
    const words = name.split(/\s+/).slice(0, MAX_NAME_WORDS);
    query.name = words.map(escapeSearchValue);
  }
  let status: string | undefined;
  if (input.status) {
    if (!(LICENSE_STATUSES as readonly string[]).includes(input.status)) throw errors.invalid(`Unknown status '${input.status.slice(0, 40)}'`, 'status');
    status = input.status;
  }
  // A number or a professional type is matched together with the status on the same license
  // (composite parameters): someone whose doctor license is active and pharmacist license revoked
  // is not an active pharmacist. Without a status, any registry license status will do.
  const onSameLicense = (token: string) => (status ? [status] : LICENSE_STATUSES).map((s) => `${token}$${s}`).join(',');
  const number = input.licenseNumber?.trim();
  if (number) {
    if (!isPlausibleLicenseNumber(number)) return undefined;
    query['license-number-status'] = [onSameLicense(`${LICENSE_NUMBER_SYSTEM}|${escapeSearchValue(number)}`)];
  }
  if (input.professionalType) {
    const code = knownCode('professional-type', input.professionalType, professionalTypes());
    query['license-type-status'] = [onSameLicense(`${PROFESSIONAL_TYPE_SYSTEM}|${code}`)];
  }
  if (input.specialization) {
    const code = knownCode('specialization', input.specialization, specialties());
    query['_has:PractitionerRole:practitioner:specialty'] = [`${SPECIALTY_SYSTEM}|${code}`];
  }
  if (input.state) query['practice-state'] = [knownCode('state', input.state, states())];
  // Only professionals holding a registry license (one in this status, when asked).
  if (!query['license-number-status'] && !query['license-type-status']) {
    if (status) query['license-status'] = [status];
    else query['license-status:missing'] = ['false'];
  }
  return query;
}

export function pageSize(raw: number | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(raw) || raw < 1) throw errors.invalid('_count must be a positive integer', '_count');
  return Math.min(raw, MAX_PAGE_SIZE);
}
