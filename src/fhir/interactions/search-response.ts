/** Pieces shared by type, compartment and system search: the query, Prefer handling, links and entries. */
import type { BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { SearchQuery } from '../../store/fhir-store';
import { errors } from '../outcomes';
import type { FhirRequest, Query } from '../rest/types';
import { queryFrom } from '../rest/types';
import type { FhirContext } from './context';
import { project } from './read';

/** `handling=strict` in Prefer (search.html#errors). */
export function strictHandling(req: FhirRequest): boolean {
  return /(?:^|[;,\s])handling\s*=\s*"?strict"?/i.test(req.headers.prefer ?? '');
}

/** URL query plus, for POST _search, the form-encoded body (search.html#search-post). */
export function searchQuery(req: FhirRequest): Query {
  if (req.method !== 'POST') return req.query;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (req.body && req.body.length > 0 && type !== 'application/x-www-form-urlencoded') {
    throw errors.unsupportedMediaType('POST _search takes application/x-www-form-urlencoded parameters');
  }
  const query = queryFrom(Object.entries(req.query).flatMap(([name, values]) => values.map((value): [string, string] => [name, value])));
  return queryFrom(new URLSearchParams(req.body?.toString('utf8') ?? ''), query);
}

export function link(relation: string, ctx: FhirContext, path: string, query: Query, skip: Set<string>, page?: string): BundleLink {
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(query)) {
    if (name === '_page' || skip.has(name)) continue;
    for (const value of values) params.append(name, value);
  }
  if (page !== undefined) params.append('_page', page);
  const text = params.toString();
  return { relation, url: `${ctx.config.baseUrl}${path ? `/${path}` : ''}${text ? `?${text}` : ''}` };
}

export function entry(ctx: FhirContext, req: FhirRequest, resource: Resource, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `${ctx.config.baseUrl}/${resource.resourceType}/${resource.id}`, resource: project(ctx, req, resource), search: { mode } };
}

/** A contained resource returned by itself (search.html#contained): the fullUrl is its container's with `#id`. */
export function containedEntry(ctx: FhirContext, req: FhirRequest, container: Resource, contained: Resource): BundleEntry {
  return {
    fullUrl: `${ctx.config.baseUrl}/${container.resourceType}/${container.id}#${contained.id}`,
    resource: project(ctx, req, contained),
    search: { mode: 'match' },
  };
}

/** One page of matches of a type search: its entries and the resources to follow includes from. */
export interface MatchPage {
  entries: BundleEntry[];
  resources: Resource[];
  next?: string;
  total?: number;
}

/** One page of top-level matches of `type`. */
export async function topLevelMatches(ctx: FhirContext, req: FhirRequest, type: string, query: SearchQuery): Promise<MatchPage> {
  const page = await ctx.service.search(type, query);
  const resources = page.versions.flatMap((version) => (version.resource ? [version.resource] : []));
  return { entries: resources.map((resource) => entry(ctx, req, resource, 'match')), resources, next: page.next, total: page.total };
}

/** A page position over several sources searched one after another (types, top-level and contained): which one, and where inside it. */
export interface PartPosition {
  part: number;
  inner?: string;
}

export function encodePartPosition(position: PartPosition): string {
  return Buffer.from(JSON.stringify([position.part, position.inner ?? null])).toString('base64url');
}

export function decodePartPosition(text: string, parts: number): PartPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && value[0] >= 0 && value[0] < parts) {
      if (value[1] === null) return { part: value[0] as number };
      if (typeof value[1] === 'string') return { part: value[0] as number, inner: value[1] };
    }
  } catch {
    // refused below
  }
  throw errors.invalid('_page is not a page position this server issued for this search', '_page');
}
