/** history at instance, type and system level (http.html#history) with _count, _since, _at and paging. */
import type { Bundle, BundleEntry, BundleLink } from '@medplum/fhirtypes';
import type { HistoryCursor, HistoryQuery, StoredVersion } from '../../store/fhir-store';
import { parseDateRange } from '../date-range';
import { errors } from '../outcomes';
import { etag } from '../rest/etag';
import type { FhirRequest, FhirResponse, Query } from '../rest/types';
import { first } from '../rest/types';
import type { FhirContext } from './context';
import { project } from './read';

const HISTORY_PARAMETERS = new Set(['_count', '_since', '_at', '_page', '_format', '_pretty', '_summary', '_elements']);

function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify([cursor.ts.getTime(), cursor.key])).toString('base64url');
}

function decodeCursor(value: string): HistoryCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
      return { ts: new Date(parsed[0]), key: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw errors.invalid('_page is not a cursor this server issued', '_page');
}

function parseQuery(ctx: FhirContext, query: Query): Omit<HistoryQuery, 'type' | 'id'> {
  for (const name of Object.keys(query)) {
    if (!HISTORY_PARAMETERS.has(name)) throw errors.invalid(`Unknown history parameter '${name.slice(0, 40)}'`, name.slice(0, 40));
  }
  const countRaw = first(query, '_count');
  let count = ctx.config.defaultPageSize;
  if (countRaw !== undefined) {
    if (!/^\d{1,6}$/.test(countRaw)) throw errors.invalid(`_count must be a non-negative integer (got '${countRaw.slice(0, 20)}')`, '_count');
    count = Math.min(Number(countRaw), ctx.config.maxPageSize);
  }
  const result: Omit<HistoryQuery, 'type' | 'id'> = { count };
  const since = first(query, '_since');
  if (since !== undefined) {
    const range = parseDateRange(since);
    if (!range || !/T/.test(since)) throw errors.invalid(`_since must be an instant such as 2024-01-01T00:00:00Z (got '${since.slice(0, 40)}')`, '_since');
    result.since = range.start;
  }
  const at = first(query, '_at');
  if (at !== undefined) {
    const range = parseDateRange(at);
    if (!range) throw errors.invalid(`_at must be a date or dateTime (got '${at.slice(0, 40)}')`, '_at');
    result.at = range;
  }
  const pageToken = first(query, '_page');
  if (pageToken !== undefined) result.after = decodeCursor(pageToken);
  return result;
}

function entryFor(ctx: FhirContext, req: FhirRequest, version: StoredVersion): BundleEntry {
  const baseUrl = ctx.config.baseUrl;
  const path = `${version.resourceType}/${version.id}`;
  const status =
    version.method === 'DELETE' ? '204 No Content' : version.versionId === 1 || version.method === 'POST' ? '201 Created' : '200 OK';
  const entry: BundleEntry = { fullUrl: `${baseUrl}/${path}` };
  if (version.resource) entry.resource = project(ctx, req, version.resource);
  entry.request = { method: version.method, url: version.method === 'POST' ? version.resourceType : path };
  entry.response = { status, etag: etag(version.versionId), lastModified: version.lastUpdated.toISOString() };
  return entry;
}

function link(relation: string, baseUrl: string, path: string, query: Query, page?: string): BundleLink {
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(query)) {
    if (name === '_page') continue;
    for (const value of values) params.append(name, value);
  }
  if (page !== undefined) params.append('_page', page);
  const search = params.toString();
  return { relation, url: `${baseUrl}/${path}${search ? `?${search}` : ''}` };
}

export async function history(
  ctx: FhirContext,
  req: FhirRequest,
  type?: string,
  id?: string,
): Promise<FhirResponse> {
  const query = parseQuery(ctx, req.query);
  if (type !== undefined && id !== undefined) await ctx.service.read(type, id).catch((err: unknown) => {
    // A deleted resource still has a history; only an unknown one is a 404.
    if ((err as { status?: number }).status !== 410) throw err;
  });
  const page = await ctx.service.history({ ...query, type, id });
  const path = ['_history'];
  if (id !== undefined) path.unshift(id);
  if (type !== undefined) path.unshift(type);
  const pathText = path.join('/');
  const links = [
    link('self', ctx.config.baseUrl, pathText, req.query, first(req.query, '_page')),
    link('first', ctx.config.baseUrl, pathText, req.query),
  ];
  if (page.next) links.push(link('next', ctx.config.baseUrl, pathText, req.query, encodeCursor(page.next)));
  const bundle: Bundle = { resourceType: 'Bundle', type: 'history' };
  if (page.total !== undefined) bundle.total = page.total;
  bundle.link = links;
  // FHIR JSON has no empty arrays: an empty page has no `entry` at all.
  if (page.versions.length > 0) bundle.entry = page.versions.map((version) => entryFor(ctx, req, version));
  return { status: 200, resource: bundle };
}
