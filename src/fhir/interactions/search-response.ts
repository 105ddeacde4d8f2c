/** Pieces shared by type, compartment and system search: the query, Prefer handling, links and entries. */
import type { BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { SearchQuery } from '../../store/fhir-store';
import { errors } from '../outcomes';
import type { FhirRequest, Query } from '../rest/types';
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
  const query: Query = {};
  for (const [name, values] of Object.entries(req.query)) query[name] = [...values];
  for (const [name, value] of new URLSearchParams(req.body?.toString('utf8') ?? '')) (query[name] ??= []).push(value);
  return query;
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
