/**
 * Search-value extraction (DESIGN.md §5): evaluates every search parameter of a resource's
 * type on it and normalises the values into a SearchIndex (types.ts). Pure and synchronous;
 * runs on every write.
 */
import { parseDateRange } from '../../date-range';
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
    if (!compiled) continue;
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

/**
 * Sets `_lastUpdated` (and its sort keys) from the version's timestamp: the store assigns it
 * after extraction, and stored resources carry no `meta.lastUpdated`.
 */
export function withLastUpdated(index: SearchIndex, lastUpdated: Date | string): SearchIndex {
  const range =
    typeof lastUpdated === 'string'
      ? parseDateRange(lastUpdated)
      : { start: lastUpdated, end: new Date(lastUpdated.getTime() + 1) };
  const date = (index.date ?? []).filter((e) => e.p !== '_lastUpdated');
  if (range) date.push({ p: '_lastUpdated', lo: range.start, hi: range.end });
  const result: SearchIndex = { ...index };
  if (date.length > 0) result.date = date;
  else delete result.date;
  const sort = { asc: { ...index.sort?.asc }, desc: { ...index.sort?.desc } };
  delete sort.asc._lastUpdated;
  delete sort.desc._lastUpdated;
  if (range) {
    sort.asc._lastUpdated = range.start;
    sort.desc._lastUpdated = range.end;
  }
  if (Object.keys(sort.asc).length > 0) result.sort = sort;
  else delete result.sort;
  return result;
}
