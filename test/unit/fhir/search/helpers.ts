/** One registry for the search unit tests, and extraction with a fixed base URL. */
import { loadDefinitions } from '../../../../src/fhir/definitions';
import type { SearchIndex } from '../../../../src/fhir/search/extract';
import { extractSearchIndex } from '../../../../src/fhir/search/extract';
import { SearchRegistry } from '../../../../src/fhir/search/registry';

export const BASE_URL = 'https://baobab.example/fhir';

let shared: SearchRegistry | undefined;

export function registry(): SearchRegistry {
  shared ??= new SearchRegistry(loadDefinitions());
  return shared;
}

export function extract(resource: { resourceType: string } & Record<string, unknown>, reg = registry()): SearchIndex {
  return extractSearchIndex(resource, reg.forType(resource.resourceType), { baseUrl: BASE_URL });
}

/** The entries of one kind for one parameter, without `p`. */
export function entries<K extends Exclude<keyof SearchIndex, 'sort'>>(index: SearchIndex, kind: K, p: string): Array<Record<string, unknown>> {
  const list = (index[kind] ?? []) as Array<{ p: string } & Record<string, unknown>>;
  return list.filter((e) => e.p === p).map(({ p: _p, ...rest }) => rest);
}
