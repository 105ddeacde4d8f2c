/**
 * Turns one Bundle entry's `request` into the FhirRequest the same route table serves, so a
 * bundle entry behaves exactly like the equivalent standalone call (http.html#transaction).
 */
import type { Binary, BundleEntry } from '@medplum/fhirtypes';
import { errors } from '../outcomes';
import type { FhirRequest, Query } from '../rest/types';
import { queryFrom } from '../rest/types';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** The entry URL relative to the base: `Patient/1?x=y`, with an absolute base URL stripped. */
function relativeUrl(url: string, baseUrl: string, index: number): string {
  if (url.startsWith(`${baseUrl}/`)) return url.slice(baseUrl.length + 1);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) throw errors.invalid(`Entry ${index}: request.url must be relative to this server`, `Bundle.entry[${index}].request.url`);
  return url.replace(/^\/+/, '');
}

function parseUrl(url: string): { segments: string[]; query: Query } {
  const [path = '', search = ''] = url.split(/\?(.*)/s, 2);
  const segments = path.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { segments, query: queryFrom(new URLSearchParams(search)) };
}

/** The body and content type an entry sends: its resource as FHIR JSON, or a JSON Patch carried in a Binary. */
function entryBody(entry: BundleEntry, method: string): { body?: Buffer; contentType?: string } {
  const resource = entry.resource;
  if (!resource) return {};
  if (method === 'PATCH' && resource.resourceType === 'Binary') {
    const binary = resource as Binary;
    return { body: Buffer.from(binary.data ?? '', 'base64'), contentType: binary.contentType ?? 'application/json-patch+json' };
  }
  return { body: Buffer.from(JSON.stringify(resource)), contentType: 'application/fhir+json' };
}

export function entryRequest(outer: FhirRequest, entry: BundleEntry, index: number, baseUrl: string): FhirRequest {
  const request = entry.request;
  const where = `Bundle.entry[${index}].request`;
  if (!request?.method || !METHODS.has(request.method)) throw errors.invalid(`Entry ${index}: request.method is missing or not supported`, `${where}.method`);
  if (typeof request.url !== 'string' || request.url === '') throw errors.invalid(`Entry ${index}: request.url is missing`, `${where}.url`);
  const { segments, query } = parseUrl(relativeUrl(request.url, baseUrl, index));
  if (segments.length === 0 && request.method === 'POST') throw errors.invalid(`Entry ${index}: bundles cannot be nested`, `${where}.url`);
  const { body, contentType } = entryBody(entry, request.method);
  const headers: Record<string, string | undefined> = { accept: 'application/fhir+json', prefer: outer.headers.prefer };
  if (contentType) headers['content-type'] = contentType;
  if (request.ifMatch) headers['if-match'] = request.ifMatch;
  if (request.ifNoneMatch) headers['if-none-match'] = request.ifNoneMatch;
  if (request.ifModifiedSince) headers['if-modified-since'] = new Date(request.ifModifiedSince).toUTCString();
  if (request.ifNoneExist) headers['if-none-exist'] = request.ifNoneExist;
  return { method: request.method, segments, query, headers, body, requestId: outer.requestId, log: outer.log, access: outer.access, clientIp: outer.clientIp };
}
