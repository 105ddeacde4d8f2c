/**
 * Searches the public registry runs as the server itself (asSystem): the anonymous caller may not
 * read Practitioners, and must get exactly the public view rather than whatever its own access
 * would allow. Queries go through the ordinary FHIR search machinery (parse strictly → resolve
 * `_has` → store), so they use the search index and its escaping, never raw scans.
 */
import type { Resource } from '@medplum/fhirtypes';
import { asSystem } from '../../../auth/request-access';
import type { FhirContext } from '../../../fhir/interactions/context';
import type { Query } from '../../../fhir/rest/types';
import type { ParseOptions } from '../../../fhir/search/parse';
import { parseSearch } from '../../../fhir/search/parse';
import { resolveFilters } from '../../../fhir/search/resolve';

export interface SystemPage<T extends Resource> {
  resources: T[];
  total?: number;
  /** Opaque position of the next page (the store's keyset cursor). */
  next?: string;
}

export interface SystemSearchOptions {
  count: number;
  /** The `next` of an earlier page of the same search. */
  page?: string;
  total?: boolean;
  sort?: string;
}

/** FHIR search escaping (search.html#escaping), so user text is one literal value. */
export function escapeSearchValue(value: string): string {
  return value.replace(/[\\,$|]/g, (c) => `\\${c}`);
}

export function searchAsSystem<T extends Resource>(ctx: FhirContext, type: T['resourceType'], query: Query, options: SystemSearchOptions): Promise<SystemPage<T>> {
  return asSystem(async () => {
    const full: Query = { ...query, _count: [String(options.count)] };
    if (options.sort) full._sort = [options.sort];
    if (options.page) full._page = [options.page];
    const parseOptions: ParseOptions = { baseUrl: ctx.config.baseUrl, defaultCount: options.count, maxCount: Math.max(options.count, 1), strict: true };
    const request = parseSearch(ctx.search, type, full, parseOptions);
    const criteria = await resolveFilters({ source: ctx.service, registry: ctx.search, terminology: ctx.terminology }, request.filters, parseOptions, request.ignored);
    const page = await ctx.service.search(type, { criteria, sort: request.sort, count: options.count, after: request.page, total: options.total ?? false });
    return {
      resources: page.versions.flatMap((v) => (v.resource ? [v.resource as T] : [])),
      ...(page.total !== undefined ? { total: page.total } : {}),
      ...(page.next ? { next: page.next } : {}),
    };
  });
}
