/** read and vread (http.html#read, #vread) with conditional read, _summary and _elements. */
import type { Binary, Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../../store/fhir-store';
import { unparsedJson } from '../../store/version-text';
import { errors } from '../outcomes';
import { applyElements, applySummary } from '../projection';
import type { SummaryMode } from '../projection';
import { explicitlyWantsFhir } from '../rest/negotiate';
import { parseETag } from '../rest/etag';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { first } from '../rest/types';
import { versionHeaders } from '../rest/version-headers';
import type { FhirContext } from './context';

const SUMMARY_MODES = new Set(['true', 'text', 'data', 'false']);

/** Applies _summary / _elements to a resource about to be returned. */
export function project(ctx: FhirContext, req: FhirRequest, resource: Resource): Resource {
  const summary = first(req.query, '_summary');
  const elements = first(req.query, '_elements');
  let result = resource;
  if (summary !== undefined) {
    if (!SUMMARY_MODES.has(summary)) throw errors.invalid(`_summary must be one of true, text, data, false (got '${summary.slice(0, 40)}')`);
    result = applySummary(result, summary as SummaryMode, ctx.definitions);
  }
  if (elements !== undefined) {
    const names = elements.split(',').map((name) => name.trim()).filter((name) => name !== '');
    if (names.length > 0) result = applyElements(result, names, ctx.definitions);
  }
  return result;
}

function notModified(req: FhirRequest, version: StoredVersion): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || parseETag(tag) === version.versionId);
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    // HTTP dates have second precision: compare at that precision.
    if (!Number.isNaN(since)) return Math.floor(version.lastUpdated.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

function respond(ctx: FhirContext, req: FhirRequest, version: StoredVersion & { resource: Resource }): FhirResponse {
  const headers = versionHeaders(version);
  if (notModified(req, version)) return { status: 304, headers };
  if (version.resourceType === 'Binary' && !explicitlyWantsFhir(req)) {
    const { contentType, data } = version.resource as Binary;
    return {
      status: 200,
      headers,
      raw: { contentType: contentType ?? 'application/octet-stream', data: Buffer.from(data ?? '', 'base64') },
    };
  }
  if (req.query._summary === undefined && req.query._elements === undefined) {
    // The stored text goes out as it is unless something parses the resource first.
    return {
      status: 200,
      headers,
      get resource() {
        return version.resource;
      },
      text: () => unparsedJson(version),
    };
  }
  return { status: 200, headers, resource: project(ctx, req, version.resource) };
}

export async function read(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  return respond(ctx, req, await ctx.service.read(type, id));
}

export async function vread(
  ctx: FhirContext,
  req: FhirRequest,
  type: string,
  id: string,
  versionId: string,
): Promise<FhirResponse> {
  return respond(ctx, req, await ctx.service.vread(type, id, versionId));
}
