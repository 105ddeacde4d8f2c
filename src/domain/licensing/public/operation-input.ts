/** Reading the typed inputs the operation registry hands to a handler (strings and integers). */
import type { OperationParams } from '../../../fhir/operations/parameters';
import { errors } from '../../../fhir/outcomes';

const MAX_TEXT = 1000;

export function stringParam(params: OperationParams, name: string): string | undefined {
  const value = params.get(name)?.[0];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw errors.invalid(`Parameter '${name}' must be a string`, name);
  if (value.length > MAX_TEXT) throw errors.invalid(`Parameter '${name}' is too long`, name);
  return value;
}

export function integerParam(params: OperationParams, name: string): number | undefined {
  const value = params.get(name)?.[0];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw errors.invalid(`Parameter '${name}' must be an integer`, name);
  return value;
}
