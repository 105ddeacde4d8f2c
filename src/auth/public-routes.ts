/**
 * What answers without a token: the CapabilityStatement, and terminology (CodeSystem, ValueSet,
 * ConceptMap, NamingSystem: reads, searches and their read-only operations), which other systems
 * need to validate codes before they hold any credentials.
 */
import type { FhirRequest } from '../fhir/rest/types';

const TERMINOLOGY_TYPES = new Set(['CodeSystem', 'ValueSet', 'ConceptMap', 'NamingSystem']);
const READ_ONLY_TERMINOLOGY_OPERATIONS = new Set(['$expand', '$lookup', '$validate-code', '$subsumes', '$translate']);

export function isPublicRequest(req: Pick<FhirRequest, 'method' | 'segments'>): boolean {
  const [first] = req.segments;
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (first === 'metadata') return reading && req.segments.length === 1;
  if (first === undefined || !TERMINOLOGY_TYPES.has(first)) return false;
  if (reading) return true;
  const last = req.segments[req.segments.length - 1]!;
  return req.method === 'POST' && req.segments.length <= 3 && READ_ONLY_TERMINOLOGY_OPERATIONS.has(last);
}
