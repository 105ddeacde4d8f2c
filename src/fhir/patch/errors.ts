/**
 * The two ways a PATCH can fail, after RFC 5789 §2.2 and FHIR http.html#patch:
 *
 * - 400 `invalid`: the patch document itself is malformed (not JSON, not an array of JSON Patch
 *   operations, a Parameters that is not a FHIRPath Patch, a FHIRPath that does not parse, a
 *   missing or wrongly typed part). Decided from the document alone, before the resource is read.
 * - 422 `processing`: the document is well formed but cannot be applied to this resource (a
 *   JSON Patch `test` fails or a pointer names nothing, a FHIRPath matches no element where one
 *   is required or several where one is allowed, an index is out of range, a value has the wrong
 *   type for its place, the patch changes `id` or `resourceType`, or the result is not a valid
 *   resource). Everything that depends on the resource or on the FHIR model is a 422.
 *
 * Content types other than JSON Patch and FHIR JSON are 415 (errors.unsupportedMediaType).
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { FhirError, issue } from '../outcomes';

export function invalidPatch(text: string, expression?: string | string[]): FhirError {
  return new FhirError([issue('invalid', text, expression)], 400);
}

export function unprocessablePatch(text: string, expression?: string | string[]): FhirError {
  return new FhirError([issue('processing', text, expression)], 422);
}

/** The issues of a failed validation of the patched resource, answered as 422. */
export function invalidPatchResult(issues: readonly OperationOutcomeIssue[]): FhirError {
  return new FhirError([issue('processing', 'Applying the patch gives a resource that is not valid'), ...issues], 422);
}
