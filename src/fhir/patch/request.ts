/**
 * Reads the body of a PATCH request into a patch to apply, by Content-Type:
 * `application/json-patch+json` → JSON Patch; FHIR JSON (`application/fhir+json`, and the
 * `application/json` aliases the server accepts for FHIR JSON everywhere) → FHIRPath Patch,
 * which must be a valid Parameters resource; anything else, or no Content-Type, → 415.
 */
import type { Parameters, Resource } from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../definitions';
import { errors } from '../outcomes';
import { parseJsonBody } from '../rest/body';
import { requestMediaType } from '../rest/negotiate';
import type { FhirRequest } from '../rest/types';
import { invalidPatch } from './errors';
import { applyFhirPathPatch, parseFhirPathPatch } from './fhirpath-patch';
import { applyJsonPatch, parseJsonPatch } from './json-patch';

export const JSON_PATCH = 'application/json-patch+json';
export const PATCH_FORMATS = [JSON_PATCH, 'application/fhir+json'] as const;
const FHIR_JSON_TYPES = new Set(['application/fhir+json', 'application/json+fhir', 'application/json']);

export interface Patch {
  format: 'json-patch' | 'fhirpath-patch';
  /** Applies the patch to `resource` (changing it: pass a copy) and returns the result, not yet validated. */
  apply(resource: Resource): unknown;
}

export function readPatch(req: FhirRequest, definitions: FhirDefinitions, validateParameters: (body: unknown) => Resource): Patch {
  const type = requestMediaType(req);
  if (type === JSON_PATCH) {
    const operations = parseJsonPatch(req.body);
    return { format: 'json-patch', apply: (resource) => applyJsonPatch(resource, operations) };
  }
  if (type !== undefined && FHIR_JSON_TYPES.has(type)) {
    const body = parseJsonBody(req) as { resourceType: string };
    if (body.resourceType !== 'Parameters') {
      throw invalidPatch(
        `A FHIR JSON patch body must be a Parameters resource (FHIRPath Patch), not ${body.resourceType.slice(0, 60)}; ` +
          `send JSON Patch as ${JSON_PATCH}`,
        'resourceType',
      );
    }
    const operations = parseFhirPathPatch(validateParameters(body) as Parameters);
    return { format: 'fhirpath-patch', apply: (resource) => applyFhirPathPatch(definitions, resource, operations) };
  }
  throw errors.unsupportedMediaType(
    `${type === undefined ? 'A PATCH needs a Content-Type' : `Content-Type '${type.slice(0, 80)}' is not a supported patch format`}: ` +
      `send ${JSON_PATCH} (JSON Patch) or application/fhir+json with a Parameters resource (FHIRPath Patch)`,
  );
}
