/**
 * Type search with `_contained=true` or `both` (search.html#contained; the options are parsed in
 * search/contained.ts). `both` pages over two sources, top-level resources then contained ones;
 * like system search across types, its page position names the source and the position inside
 * it, so pages neither skip nor repeat. A match is returned as its container (mode `match`, each
 * container once) or, with `_containedType=contained`, as the contained resource itself under the
 * fullUrl `[base]/[ContainerType]/[id]#[containedId]`.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { ContainedMatch } from '../../store/fhir-store';
import type { Criterion } from '../../store/search-criteria';
import type { FhirRequest } from '../rest/types';
import type { SearchRequest } from '../search/parse';
import type { FhirContext } from './context';
import type { MatchPage, PartPosition } from './search-response';
import { containedEntry, decodePartPosition, encodePartPosition, entry, topLevelMatches } from './search-response';

type Source = 'top-level' | 'contained';


interface SourceQuery {
  count: number;
  after?: string;
  total: boolean;
}


/** With `both`, a container of the searched type that matches by itself is the top-level source's: it is left out here. */
async function withoutTopLevelMatches(ctx: FhirContext, type: string, criteria: Criterion[], matches: ContainedMatch[]): Promise<ContainedMatch[]> {
  const ids = matches.filter((match) => match.container.resourceType === type).map((match) => match.container.id);
  if (ids.length === 0) return matches;
  const topLevelIds = new Set(await ctx.service.matchIds(type, [...criteria, { index: 'id', ids }], ids.length));
  return matches.filter((match) => match.container.resourceType !== type || !topLevelIds.has(match.container.id));
}

async function containedLevel(ctx: FhirContext, req: FhirRequest, type: string, request: SearchRequest, criteria: Criterion[], query: SourceQuery): Promise<MatchPage> {
  const page = await ctx.service.searchContained(type, { criteria, unit: request.containedType, ...query });
  const found: MatchPage = { entries: [], resources: [], next: page.next, total: page.total };
  const byContainer = request.containedType === 'container';
  const matches = byContainer && request.contained === 'both' ? await withoutTopLevelMatches(ctx, type, criteria, page.matches) : page.matches;
  for (const { container, containedId } of matches) {
    const resource = byContainer ? container.resource : (container.resource as { contained?: Resource[] }).contained?.find((inner) => inner.id === containedId);
    if (!resource) continue; // not expected: the entry was made from this version of the container
    found.entries.push(byContainer ? entry(ctx, req, resource, 'match') : containedEntry(ctx, req, container.resource, resource));
    found.resources.push(resource);
  }
  return found;
}

export async function containedMatches(ctx: FhirContext, req: FhirRequest, type: string, request: SearchRequest, criteria: Criterion[], countOnly: boolean): Promise<MatchPage> {
  const sources: Source[] = request.contained === 'both' ? ['top-level', 'contained'] : ['contained'];
  const start: PartPosition = request.page === undefined ? { part: 0 } : decodePartPosition(request.page, sources.length);
  const found: MatchPage = { entries: [], resources: [] };
  let total: number | undefined = countOnly || request.total !== 'none' ? 0 : undefined;
  let next: PartPosition | undefined;
  let collecting = !countOnly;
  for (let s = 0; s < sources.length; s++) {
    const inPage = collecting && s >= start.part;
    if (!inPage && total === undefined) continue; // only sources on this page, unless counting all
    const query: SourceQuery = {
      count: inPage ? request.count - found.entries.length : 0,
      after: inPage && s === start.part ? start.inner : undefined,
      total: total !== undefined,
    };
    const page = sources[s] === 'top-level' ? await topLevelMatches(ctx, req, type, { criteria, sort: [], ...query }) : await containedLevel(ctx, req, type, request, criteria, query);
    if (total !== undefined) total += page.total ?? 0;
    if (!inPage) continue;
    found.entries.push(...page.entries);
    found.resources.push(...page.resources);
    if (page.next) {
      next = { part: s, inner: page.next };
      collecting = false;
    } else if (found.entries.length >= request.count) {
      if (s + 1 < sources.length) next = { part: s + 1 };
      collecting = false;
    }
  }
  if (next) found.next = encodePartPosition(next);
  if (total !== undefined) found.total = total;
  return found;
}
