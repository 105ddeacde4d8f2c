/** Pieces shared by type, compartment and system search: the query, Prefer handling, links and entries. */
import type { BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
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
