/**
 * batch (http.html#transaction): each entry is processed as if it were a separate request, in
 * the order DELETE, POST, PUT/PATCH, GET/HEAD; a failing entry gets its own error and the
 * others still run. The batch-response lists the entries in their original order.
 */
import { STATUS_CODES } from 'node:http';
import type { Bundle, BundleEntry, BundleEntryResponse, OperationOutcome } from '@medplum/fhirtypes';
import type { FhirContext } from '../interactions/context';
import { dispatch } from '../rest/dispatch';
import { errorResponse } from '../rest/http';
import { returnPreference } from '../rest/prefer';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { entryRequest } from './entry-request';

const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

export function processingOrder(entries: readonly BundleEntry[]): number[] {
  return entries
    .map((entry, index) => ({ index, rank: ORDER[entry.request?.method ?? ''] ?? 4 }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ index }) => index);
}

function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/** An entry's response from the FhirResponse its request produced. */
export function responseEntry(outer: FhirRequest, baseUrl: string, method: string, response: FhirResponse): BundleEntry {
  const result: BundleEntryResponse = { status: statusText(response.status) };
  const headers = response.headers ?? {};
  if (headers.Location) result.location = headers.Location;
  if (headers.ETag) result.etag = headers.ETag;
  const resource = response.resource;
  // The resource's own instant: the Last-Modified header has whole seconds only.
  const lastUpdated = resource?.resourceType !== 'OperationOutcome' ? resource?.meta?.lastUpdated : undefined;
  if (lastUpdated) result.lastModified = lastUpdated;
  else if (headers['Last-Modified']) result.lastModified = new Date(headers['Last-Modified']).toISOString();
  const entry: BundleEntry = {};
  if (resource?.resourceType === 'OperationOutcome') result.outcome = resource as OperationOutcome;
  else if (resource) {
    // HEAD is a GET without the body (http.html#read), in a Bundle as on its own.
    const wanted = method === 'GET' || (method !== 'HEAD' && returnPreference(outer) !== 'minimal');
    if (wanted) {
      if (resource.id && resource.resourceType !== 'Bundle') entry.fullUrl = `${baseUrl}/${resource.resourceType}/${resource.id}`;
      entry.resource = resource;
    }
  }
  entry.response = result;
  return entry;
}

export async function processBatch(ctx: FhirContext, req: FhirRequest, bundle: Bundle): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  const results: BundleEntry[] = new Array(entries.length);
  for (const index of processingOrder(entries)) {
    const entry = entries[index]!;
    let response: FhirResponse;
    try {
      response = await dispatch(ctx, entryRequest(req, entry, index, ctx.config.baseUrl));
    } catch (err) {
      response = errorResponse(err, req.log, req.requestId);
    }
    results[index] = responseEntry(req, ctx.config.baseUrl, entry.request?.method ?? 'GET', response);
  }
  const result: Bundle = { resourceType: 'Bundle', type: 'batch-response' };
  if (results.length > 0) result.entry = results;
  return result;
}
