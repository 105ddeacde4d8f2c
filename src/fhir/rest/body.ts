/** Reading a FHIR JSON request body: parse errors and shapes become 400s, never 500s. */
import { errors } from '../outcomes';
import { assertJsonBody } from './negotiate';
import type { FhirRequest } from './types';
import { nestedDeeperThan } from './json-depth';

const MAX_DEPTH = 64;


export function parseJsonBody(req: FhirRequest): unknown {
  assertJsonBody(req);
  if (!req.body || req.body.length === 0) throw errors.invalid('The request has no body; a FHIR resource is required');
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8'));
  } catch (err) {
    throw errors.invalid(`The request body is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.invalid('The request body must be a JSON object (a FHIR resource)');
  }
  if (typeof (value as { resourceType?: unknown }).resourceType !== 'string') {
    throw errors.invalid('The request body is not a FHIR resource: resourceType is missing', 'resourceType');
  }
  if (nestedDeeperThan(value, MAX_DEPTH)) throw errors.invalid(`The request body is nested deeper than ${MAX_DEPTH} levels`);
  return value;
}
