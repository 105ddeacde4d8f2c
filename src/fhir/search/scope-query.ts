/**
 * The search of a granular SMART v2 scope (`patient/Observation.rs?category=laboratory`) as
 * criteria: plain parameters of the type only (no chains, `_has` or value sets), parsed strictly.
 */
import type { Criterion } from '../../store/search-criteria';
import { forbidden } from '../access-guard';
import { queryFrom } from '../rest/types';
import { parseSearch } from './parse';
import type { SearchRegistry } from './registry';

export function scopeQueryCriteria(registry: SearchRegistry, type: string, pairs: ReadonlyArray<[string, string]>, baseUrl: string): Criterion[] {
  const query = queryFrom(pairs);
  let request;
  try {
    request = parseSearch(registry, type, query, { baseUrl, defaultCount: 1, maxCount: 1, strict: true });
  } catch {
    throw forbidden(`the granted scope's search on ${type} cannot be applied`);
  }
  const criteria = request.filters.flatMap((f) => (f.kind === 'criterion' ? [f.criterion] : []));
  if (criteria.length !== request.filters.length || criteria.length === 0) throw forbidden(`the granted scope's search on ${type} cannot be applied`);
  return criteria;
}
