/**
 * System search (http.html#search, `GET [base]?_type=…` and `POST [base]/_search`): one search per
 * type named by `_type` (every type when absent), taken in that order: a page is filled from the
 * first type with matches left, then the next. Its parameters must exist in every type searched
 * (with no `_type`, that leaves the common ones: `_id`, `_lastUpdated`, `_tag`, `_profile`,
 * `_security`, `_source`). `_sort` is refused when several types are searched: results would be
 * sorted per type, not across them. The page position names the type and the position inside it.
 */
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { errors, operationOutcome } from '../outcomes';
import type { FhirRequest, FhirResponse, Query } from '../rest/types';
import { collectIncludes } from '../search/include';
import type { ParseOptions } from '../search/parse';
import { parseSearch } from '../search/parse';
import { resolveFilters } from '../search/resolve';
import type { FhirContext } from './context';
import type { PartPosition } from './search-response';
import { decodePartPosition, encodePartPosition, entry, link, searchQuery, strictHandling } from './search-response';



/** The types searched: those named by `_type` (or all), less those the caller may not search (a search narrows). */
function typesOf(ctx: FhirContext, query: Query): string[] {
  const listed = (query._type ?? []).flatMap((value) => value.split(',')).map((type) => type.trim()).filter((type) => type !== '');
  for (const type of listed) ctx.service.assertType(type);
  const types = listed.length === 0 ? ctx.definitions.resourceTypes : [...new Set(listed)];
  return types.filter((type) => ctx.service.maySearch(type));
}

export async function searchSystem(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  const query = searchQuery(req);
  req = { ...req, query };
  const types = typesOf(ctx, query);
  if (types.length === 0) return { status: 200, resource: { resourceType: 'Bundle', type: 'searchset', total: 0, link: [link('self', ctx, '', query, new Set())] } };
  const { _type: _ignored, ...criteriaQuery } = query;
  if (types.length > 1 && criteriaQuery._sort) throw errors.invalid('_sort needs a single _type: results are not sorted across types', '_sort');
  const options: ParseOptions = { baseUrl: ctx.config.baseUrl, defaultCount: ctx.config.defaultPageSize, maxCount: ctx.config.maxPageSize, strict: strictHandling(req) };
  // Parsed for every type first, so a parameter one of them lacks is reported (or refused) before any search.
  const ignored = new Map<string, OperationOutcomeIssue>();
  const requests = types.map((type) => {
    const request = parseSearch(ctx.search, type, criteriaQuery, options);
    for (const issue of request.ignored) ignored.set(issue.diagnostics ?? '', issue);
    return request;
  });
  const ignoredNames = new Set([...ignored.values()].flatMap((issue) => issue.expression ?? []));
  const usable = (name: string) => !ignoredNames.has(name);
  const first = requests[0]!;
  if (first.contained !== 'false') throw errors.invalid('_contained is supported on searches of one type (GET [type]?…)', '_contained');
  const countOnly = first.summary === 'count' || first.count === 0;
  const start = first.page === undefined ? { part: 0 } : decodePartPosition(first.page, types.length);

  const matches: Resource[] = [];
  let total: number | undefined = countOnly || first.total !== 'none' ? 0 : undefined;
  let next: PartPosition | undefined;
  let collecting = !countOnly;
  for (let t = 0; t < types.length; t++) {
    const inPage = collecting && t >= start.part;
    if (!inPage && total === undefined) continue; // only types on this page, unless counting all
    const criteria = await resolveFilters({ source: ctx.service, registry: ctx.search, terminology: ctx.terminology }, requests[t]!.filters, options, []);
    const page = await ctx.service.search(types[t]!, {
      criteria,
      sort: requests[t]!.sort,
      count: inPage ? first.count - matches.length : 0,
      after: inPage && t === start.part ? start.inner : undefined,
      total: total !== undefined,
    });
    if (total !== undefined) total += page.total ?? 0;
    if (!inPage) continue;
    matches.push(...page.versions.flatMap((version) => (version.resource ? [version.resource] : [])));
    if (page.next) {
      next = { part: t, inner: page.next };
      collecting = false;
    } else if (matches.length >= first.count) {
      if (t + 1 < types.length) next = { part: t + 1 };
      collecting = false;
    }
  }
  const included = await collectIncludes(ctx.service, ctx.search, matches, first.include, first.revinclude, ctx.config.baseUrl);

  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  if (total !== undefined) bundle.total = total;
  const shown = Object.fromEntries(Object.entries(query).filter(([name]) => name === '_type' || usable(name)));
  bundle.link = [link('self', ctx, '', shown, new Set(), first.page)];
  if (next) bundle.link.push(link('next', ctx, '', shown, new Set(), encodePartPosition(next)));
  const entries = [...matches.map((r) => entry(ctx, req, r, 'match')), ...included.map((r) => entry(ctx, req, r, 'include'))];
  if (ignored.size > 0) entries.push({ resource: operationOutcome([...ignored.values()]), search: { mode: 'outcome' } });
  if (entries.length > 0) bundle.entry = entries;
  return { status: 200, resource: bundle };
}
