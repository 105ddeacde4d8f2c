/** Response headers and bodies shared by the interactions that return a version. */
import type { StoredVersion } from '../../store/fhir-store';
import { informational } from '../outcomes';
import { etag } from './etag';
import { returnPreference } from './prefer';
import type { FhirRequest, FhirResponse } from './types';

export function versionHeaders(version: StoredVersion): Record<string, string> {
  return { ETag: etag(version.versionId), 'Last-Modified': version.lastUpdated.toUTCString() };
}

export function versionUrl(baseUrl: string, version: StoredVersion): string {
  return `${baseUrl}/${version.resourceType}/${version.id}/_history/${version.versionId}`;
}

/** The answer to a successful write, shaped by `Prefer: return=…`. */
export function writeResponse(
  req: FhirRequest,
  baseUrl: string,
  status: number,
  version: StoredVersion,
  message: string,
): FhirResponse {
  const headers = { ...versionHeaders(version), Location: versionUrl(baseUrl, version) };
  switch (returnPreference(req)) {
    case 'minimal':
      return { status, headers };
    case 'OperationOutcome':
      return { status, headers, resource: informational(message) };
    case 'representation':
      return { status, headers, resource: version.resource };
  }
}
