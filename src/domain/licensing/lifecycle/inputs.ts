/**
 * The lifecycle operations' inputs, beyond what parameters.ts checks (names, cardinality, types):
 * text that is not blank and not huge, full dates, and which license of the Practitioner is meant.
 */
import type { Practitioner } from '@medplum/fhirtypes';
import type { OperationParams } from '../../../fhir/operations/parameters';
import { errors, FhirError, issue } from '../../../fhir/outcomes';
import type { License } from '../license';
import { licensesOf } from '../license';
import { isFullDate } from './dates';

const MAX_TEXT = 2000;

function first(params: OperationParams, name: string): unknown {
  return params.get(name)?.[0];
}

export function optionalText(params: OperationParams, name: string): string | undefined {
  const value = first(params, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw errors.invalid(`Parameter '${name}' must be a non-empty string`, name);
  if (value.length > MAX_TEXT) throw errors.invalid(`Parameter '${name}' may be at most ${MAX_TEXT} characters`, name);
  return value.trim();
}

export function requiredText(params: OperationParams, name: string): string {
  const value = optionalText(params, name);
  if (value === undefined) throw errors.invalid(`Parameter '${name}' is required`, name);
  return value;
}

export function optionalDate(params: OperationParams, name: string): string | undefined {
  const value = first(params, name);
  if (value === undefined) return undefined;
  if (!isFullDate(value)) throw errors.invalid(`Parameter '${name}' must be a date (YYYY-MM-DD)`, name);
  return value;
}

export function optionalBoolean(params: OperationParams, name: string): boolean | undefined {
  const value = first(params, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw errors.invalid(`Parameter '${name}' must be true or false`, name);
  return value;
}

/**
 * The license meant: the one named by `license-number`, or the only one the Practitioner holds.
 * A number the Practitioner does not hold is 422 (the Practitioner exists: not a 404).
 */
export function selectLicense(practitioner: Practitioner, number: string | undefined): License {
  const licenses = licensesOf(practitioner);
  const where = `Practitioner/${practitioner.id}`;
  if (number !== undefined) {
    const license = licenses.find((l) => l.number === number);
    if (!license) throw new FhirError([issue('not-found', `${where} holds no license ${number.slice(0, 80)}`, 'license-number')], 422);
    return license;
  }
  if (licenses.length === 0) throw new FhirError([issue('business-rule', `${where} holds no license`)], 422);
  if (licenses.length > 1) {
    throw errors.invalid(`Parameter 'license-number' is required: ${where} holds ${licenses.length} licenses`, 'license-number');
  }
  return licenses[0]!;
}
