/**
 * Binary accepts raw content (any Content-Type other than FHIR JSON): it is
 * wrapped into a Binary resource (http.html#binary). X-Security-Context names
 * the resource that governs access to it.
 */
import type { Binary } from '@medplum/fhirtypes';
import { errors } from '../outcomes';
import { isJsonBody, requestMediaType } from '../rest/negotiate';
import type { FhirRequest } from '../rest/types';

export function isRawBinary(req: FhirRequest, type: string): boolean {
  return type === 'Binary' && !isJsonBody(req);
}

export function binaryFromRaw(req: FhirRequest, id?: string): Binary {
  const contentType = req.headers['content-type'] ?? requestMediaType(req) ?? 'application/octet-stream';
  if (!req.body || req.body.length === 0) throw errors.invalid('A Binary upload needs a body');
  const binary: Binary = { resourceType: 'Binary', contentType, data: req.body.toString('base64') };
  if (id !== undefined) binary.id = id;
  const securityContext = req.headers['x-security-context'];
  if (securityContext) binary.securityContext = { reference: securityContext };
  return binary;
}
