/**
 * Search-value extraction (DESIGN.md §5): evaluates every search parameter of a resource's
 * type on it and normalises the values into a SearchIndex (types.ts). Pure and synchronous;
 * runs on every write.
 */
import type { SearchParamInfo } from '../registry';
import type { NodeSink } from './compile-path';
import { extractComposite } from './composite';
import type { ExtractContext } from './index-builder';
import { IndexBuilder } from './index-builder';
import { normaliseValue } from './normalise-value';
import { sortKeys } from './sort-keys';
import type { SearchIndex } from './types';

export * from './types';
export { normaliseText } from './normalise-text';
export { precisionRange } from './number-precision';
export { normaliseReferenceString } from './normalise-reference';
export { ucumCanonical, UCUM_SYSTEM } from './ucum';

export interface ExtractOptions {
  /** This server's base URL (e.g. `https://example.org/fhir`): references under it become `Type/id`. */
  baseUrl: string;
}

/**
 * The index of `resource` for `params` (normally `registry.forType(resource.resourceType)`).
 * A parameter whose evaluation throws (fhirpath.js on unexpected data) is left out rather than
 * failing the write.
 */
export function extractSearchIndex(
  resource: { resourceType: string },
  params: ReadonlyMap<string, SearchParamInfo> | Iterable<SearchParamInfo>,
  options: ExtractOptions,
): SearchIndex {
  const ctx: ExtractContext = { baseUrl: options.baseUrl.replace(/\/+$/, '') };
  const out = new IndexBuilder();
  const sink: NodeSink = { values: [], types: [] };
  const infos = params instanceof Map ? params.values() : (params as Iterable<SearchParamInfo>);
  for (const info of infos) {
    const compiled = info.compiled;
    // The store keeps the id and the version time itself (`_id`, `ts`): searches and sorts use those.
    if (!compiled || info.code === '_id' || info.code === '_lastUpdated') continue;
    try {
      if (info.type === 'composite') {
        extractComposite(info, resource, out, ctx);
        continue;
      }
      sink.values.length = 0;
      sink.types.length = 0;
      compiled.evaluate(resource, resource, sink);
      for (let i = 0; i < sink.values.length; i++) normaliseValue(info.type, info.code, sink.values[i], sink.types[i]!, out, ctx);
    } catch {
      continue;
    }
  }
  const index = out.build();
  const sort = sortKeys(index);
  if (sort) index.sort = sort;
  return index;
}
