/**
 * search (http.html#search, search.html): `GET [type]?…` and `POST [type]/_search` with a form
 * body. Parse → resolve chains → one page from the store → includes → a `searchset` Bundle with
 * `self`/`next` links (the next link carries an opaque keyset position, `_page`), `total` when
 * asked, `search.mode` match/include, and an `outcome` entry listing ignored parameters.
 * `_contained=true|both` searches contained resources too (search-contained.ts).
 */
import type { Bundle } from '@medplum/fhirtypes';
import { errors, operationOutcome } from '../outcomes';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { compartmentCriterion } from '../search/compartment';
import { collectIncludes } from '../search/include';
import type { ParseOptions, SearchRequest } from '../search/parse';
import { parseSearch } from '../search/parse';
import { resolveFilters } from '../search/resolve';
import type { FhirContext } from './context';
import { containedMatches } from './search-contained';
import { entry, link, searchQuery, strictHandling, topLevelMatches } from './search-response';

/** `compartment`: search inside the compartment of that resource (`GET Patient/123/Observation`). */
export async function search(ctx: FhirContext, req: FhirRequest, type: string, compartment?: { type: string; id: string }): Promise<FhirResponse> {
  ctx.service.assertType(type);
  if (compartment) {
    ctx.service.assertType(compartment.type);
    ctx.service.assertId(compartment.id);
  }
  const query = searchQuery(req);
  // Form-body parameters (_summary, _elements) shape the entries too.
  req = { ...req, query };
  const options: ParseOptions = {
    baseUrl: ctx.config.baseUrl,
    defaultCount: ctx.config.defaultPageSize,
    maxCount: ctx.config.maxPageSize,
    strict: strictHandling(req),
  };
  const request: SearchRequest = parseSearch(ctx.search, type, query, options);
  if (compartment && request.contained !== 'false') throw errors.invalid('_contained is not supported in compartment searches', '_contained');
  const criteria = await resolveFilters({ source: ctx.service, registry: ctx.search, terminology: ctx.terminology }, request.filters, options, request.ignored);
  if (compartment) criteria.unshift(compartmentCriterion(ctx.definitions.compartmentDefinitions, compartment, type));
  const countOnly = request.summary === 'count' || request.count === 0;
  const page =
    request.contained === 'false'
      ? await topLevelMatches(ctx, req, type, {
          criteria,
          sort: request.sort,
          count: countOnly ? 0 : request.count,
          after: request.page,
          total: countOnly || request.total !== 'none',
        })
      : await containedMatches(ctx, req, type, request, criteria, countOnly);
  const included = await collectIncludes(ctx.service, ctx.search, page.resources, request.include, request.revinclude, ctx.config.baseUrl);

  const ignoredNames = new Set(request.ignored.flatMap((i) => i.expression ?? []));
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset' };
  if (page.total !== undefined) bundle.total = page.total;
  const path = compartment ? `${compartment.type}/${compartment.id}/${type}` : type;
  bundle.link = [link('self', ctx, path, query, ignoredNames, request.page)];
  if (page.next) bundle.link.push(link('next', ctx, path, query, ignoredNames, page.next));
  const entries = [...page.entries, ...included.map((r) => entry(ctx, req, r, 'include'))];
  if (request.ignored.length > 0) {
    entries.push({ resource: operationOutcome(request.ignored), search: { mode: 'outcome' } });
  }
  if (entries.length > 0) bundle.entry = entries;
  return { status: 200, resource: bundle };
}
