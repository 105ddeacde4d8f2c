/**
 * Scalar sort keys per parameter, from the extracted entries: `asc` holds the smallest value
 * (what an ascending `_sort` orders by), `desc` the largest. Dates and number/quantity Ranges
 * sort by range: ascending by the earliest start, descending by the latest end. Only
 * parameters with a value get keys, so "missing values last" is the query side's `$exists`
 * choice.
 */
import type { SearchIndex, SortValue } from './types';

type Keys = { asc: Record<string, SortValue>; desc: Record<string, SortValue> };

function less(a: SortValue, b: SortValue): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() < b.getTime() : a < b;
}

function offer(keys: Keys, p: string, low: SortValue, high: SortValue): void {
  // Derived entries (`identifier:of-type`, `subject:identifier`) are not sortable parameters.
  if (p.includes(':')) return;
  const asc = keys.asc[p];
  if (asc === undefined || less(low, asc)) keys.asc[p] = low;
  const desc = keys.desc[p];
  if (desc === undefined || less(desc, high)) keys.desc[p] = high;
}

export function sortKeys(index: SearchIndex): Keys | undefined {
  const keys: Keys = { asc: {}, desc: {} };
  for (const e of index.str ?? []) offer(keys, e.p, e.n, e.n);
  for (const e of index.tok ?? []) if (e.c !== undefined) offer(keys, e.p, e.c, e.c);
  for (const e of index.ref ?? []) offer(keys, e.p, e.r, e.r);
  for (const e of index.date ?? []) offer(keys, e.p, e.lo, e.hi);
  // A Range (no value) sorts like a date range: by its low end ascending, its high end descending.
  for (const e of index.num ?? []) offer(keys, e.p, e.v ?? e.lo!, e.v ?? e.hi!);
  for (const e of index.qty ?? []) {
    const v = e.cv ?? e.v;
    if (v !== undefined) offer(keys, e.p, v, v);
    else offer(keys, e.p, e.clo ?? e.lo!, e.chi ?? e.hi!);
  }
  for (const e of index.uri ?? []) offer(keys, e.p, e.v, e.v);
  return Object.keys(keys.asc).length > 0 ? keys : undefined;
}
