/**
 * `_include` and `_revinclude` (search.html#include) for one page of matches. Includes are
 * read in batches by type; `:iterate` repeats on what was included, a few rounds at most. At
 * most MAX_INCLUDED resources are added to a page.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Criterion, ReferenceValue } from '../../store/search-criteria';
import { errors } from '../outcomes';
import { extractSearchIndex } from './extract';
import type { IncludeSpec } from './parse';
import type { SearchParamInfo, SearchRegistry } from './registry';

export const MAX_INCLUDED = 1000;
const MAX_ITERATIONS = 4;

/** What includes need from the store (ResourceService implements it). */
export interface IncludeSource {
  readCurrent(type: string, criteria: Criterion[], limit: number): Promise<Resource[]>;
}

const key = (resource: Resource) => `${resource.resourceType}/${resource.id}`;

function referenceParams(registry: SearchRegistry, type: string, spec: IncludeSpec): SearchParamInfo[] {
  if (spec.source !== '*' && spec.source !== type) return [];
  if (spec.param === '*') return [...registry.forType(type).values()].filter((info) => info.type === 'reference' && info.supported);
  const info = registry.get(type, spec.param);
  if (!info || info.type !== 'reference') throw errors.invalid(`_include: ${spec.source}:${spec.param} is not a reference parameter`, '_include');
  return [info];
}

/** `Type/id` references that `spec` follows from `resources`. */
function forwardReferences(registry: SearchRegistry, resources: Resource[], spec: IncludeSpec, baseUrl: string): string[] {
  const found = new Set<string>();
  for (const resource of resources) {
    const params = referenceParams(registry, resource.resourceType, spec);
    if (params.length === 0) continue;
    for (const entry of extractSearchIndex(resource, params, { baseUrl }).ref ?? []) {
      const type = entry.r.split('/')[0]!;
      if (/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(entry.r) && (!spec.target || spec.target === type)) found.add(entry.r);
    }
  }
  return [...found];
}

async function readAll(source: IncludeSource, references: string[], limit: number): Promise<Resource[]> {
  const byType = new Map<string, string[]>();
  for (const reference of references) {
    const [type, id] = reference.split('/') as [string, string];
    byType.set(type, [...(byType.get(type) ?? []), id]);
  }
  const result: Resource[] = [];
  for (const [type, ids] of byType) result.push(...(await source.readCurrent(type, [{ index: 'id', ids }], limit)));
  return result;
}

async function reverse(source: IncludeSource, registry: SearchRegistry, resources: Resource[], spec: IncludeSpec, limit: number): Promise<Resource[]> {
  if (spec.source === '*' || resources.length === 0) return [];
  const info = registry.get(spec.source, spec.param);
  if (!info || info.type !== 'reference') throw errors.invalid(`_revinclude: ${spec.source}:${spec.param} is not a reference parameter`, '_revinclude');
  const values: ReferenceValue[] = resources.filter((r) => !spec.target || r.resourceType === spec.target).map((r) => ({ r: key(r) }));
  if (values.length === 0) return [];
  return source.readCurrent(spec.source, [{ index: 'ref', p: info.code, values }], limit);
}

/** The resources to add to a page of `matches`, without duplicates of matches or of each other. */
export async function collectIncludes(
  source: IncludeSource,
  registry: SearchRegistry,
  matches: Resource[],
  include: IncludeSpec[],
  revinclude: IncludeSpec[],
  baseUrl: string,
): Promise<Resource[]> {
  const seen = new Set(matches.map(key));
  const included: Resource[] = [];
  const add = (resources: Resource[]): Resource[] => {
    const fresh = resources.filter((resource) => !seen.has(key(resource)));
    for (const resource of fresh) seen.add(key(resource));
    included.push(...fresh.slice(0, MAX_INCLUDED - included.length));
    return fresh;
  };
  let frontier = matches;
  for (let round = 0; round < MAX_ITERATIONS && frontier.length > 0 && included.length < MAX_INCLUDED; round++) {
    const next: Resource[] = [];
    // The first round applies every spec to the matches; later rounds only :iterate specs to what was just added.
    for (const spec of include.filter((s) => round === 0 || s.iterate)) {
      const references = forwardReferences(registry, frontier, spec, baseUrl).filter((reference) => !seen.has(reference));
      next.push(...add(await readAll(source, references, MAX_INCLUDED)));
    }
    for (const spec of revinclude.filter((s) => round === 0 || s.iterate)) {
      next.push(...add(await reverse(source, registry, frontier, spec, MAX_INCLUDED)));
    }
    frontier = next;
  }
  return included;
}
