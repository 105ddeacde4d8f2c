/**
 * What answers without a token: the CapabilityStatement, and terminology (CodeSystem, ValueSet,
 * ConceptMap, NamingSystem: reads, searches and their read-only operations), which other systems
 * need to validate codes before they hold any credentials; and the public registry's three
 * operations (issue 7: $verify-license, $registry-search, $registry-statistics), which answer
 * public views built as the server itself.
 */
import type { FhirRequest } from '../fhir/rest/types';
import { PUBLIC_REGISTRY_PATHS } from '../domain/licensing/public/public-paths';

const TERMINOLOGY_TYPES = new Set(['CodeSystem', 'ValueSet', 'ConceptMap', 'NamingSystem']);
const READ_ONLY_TERMINOLOGY_OPERATIONS = new Set(['$expand', '$lookup', '$validate-code', '$subsumes', '$translate']);

export function isPublicRequest(req: Pick<FhirRequest, 'method' | 'segments'>): boolean {
  const [first] = req.segments;
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (first === 'metadata') return reading && req.segments.length === 1;
  if (PUBLIC_REGISTRY_PATHS.has(req.segments.join('/'))) return reading || req.method === 'POST';
  if (first === undefined || !TERMINOLOGY_TYPES.has(first)) return false;
  if (reading) return true;
  const last = req.segments[req.segments.length - 1]!;
  return req.method === 'POST' && req.segments.length <= 3 && READ_ONLY_TERMINOLOGY_OPERATIONS.has(last);
}
