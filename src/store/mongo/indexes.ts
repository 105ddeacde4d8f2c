/**
 * Indexes created at start, declared as data so tests can check that every query the store
 * issues is served by one (the test engines ignore secondary indexes and have no `explain`).
 * Current collections are keyed by logical id (`_id`); `ts` serves _lastUpdated ordering. The
 * history collection is keyed by `Type/id/vid` (which also makes each version unique) and
 * ordered by time for system, type and instance history.
 */
import type { Db, IndexDirection } from 'mongodb';
import { CONTAINED_COLLECTION, HISTORY_COLLECTION } from './documents';

export interface IndexSpec {
  name: string;
  key: Record<string, IndexDirection>;
}

export const HISTORY_INDEXES: readonly IndexSpec[] = [
  { name: 'ts', key: { ts: -1, _id: -1 } },
  { name: 'type_ts', key: { t: 1, ts: -1, _id: -1 } },
  { name: 'type_id_ts', key: { t: 1, i: 1, ts: -1, _id: -1 } },
];

/**
 * Search (DESIGN.md §5): one compound multikey index per kind of index entry, led by the parameter
 * code `p`, so every `$elemMatch` the query compiler emits (compile-query.ts) can seek on
 * (parameter, value) whatever the parameter. Eleven indexes per collection with `_id` and `ts`,
 * far under MongoDB's 64; sorts on parameters other than `_id`/`_lastUpdated` are sorted in
 * memory after the filter (add `sort.asc.<code>` indexes for hot sorts on a real deployment).
 */
export const SEARCH_INDEXES: readonly IndexSpec[] = [
  { name: 'search_str', key: { 'str.p': 1, 'str.n': 1 } },
  { name: 'search_tok', key: { 'tok.p': 1, 'tok.c': 1, 'tok.s': 1 } },
  { name: 'search_ref', key: { 'ref.p': 1, 'ref.r': 1 } },
  { name: 'search_date', key: { 'date.p': 1, 'date.lo': 1, 'date.hi': 1 } },
  { name: 'search_num', key: { 'num.p': 1, 'num.v': 1 } },
  { name: 'search_qty', key: { 'qty.p': 1, 'qty.v': 1 } },
  { name: 'search_qty_canonical', key: { 'qty.p': 1, 'qty.cc': 1, 'qty.cv': 1 } },
  { name: 'search_uri', key: { 'uri.p': 1, 'uri.v': 1 } },
  { name: 'search_comp', key: { 'comp.p': 1 } },
];

export const CURRENT_INDEXES: readonly IndexSpec[] = [{ name: 'ts', key: { ts: -1 } }, ...SEARCH_INDEXES];

/**
 * The contained collection (contained.ts): `c` finds a container's entries when it is written;
 * searches have the contained type `t` as an equality, so the search indexes are those of the
 * current collections led by `t`, and `{t, _id}` serves a search with no other criterion, in page order.
 */
export const CONTAINED_INDEXES: readonly IndexSpec[] = [
  { name: 'container', key: { c: 1 } },
  { name: 'type_id', key: { t: 1, _id: 1 } },
  ...SEARCH_INDEXES.map((spec): IndexSpec => ({ name: spec.name, key: { t: 1, ...spec.key } })),
];

const PARALLEL = 16;

export async function ensureIndexes(db: Db, resourceTypes: readonly string[]): Promise<void> {
  const history = db.collection(HISTORY_COLLECTION);
  await Promise.all(HISTORY_INDEXES.map((spec) => history.createIndex(spec.key, { name: spec.name })));
  await db.collection(CONTAINED_COLLECTION).createIndexes(CONTAINED_INDEXES.map((spec) => ({ key: spec.key, name: spec.name })));
  const queue = [...resourceTypes];
  const worker = async (): Promise<void> => {
    for (let type = queue.shift(); type !== undefined; type = queue.shift()) {
      // One createIndexes command per collection: 146 round trips, not one per index.
      await db.collection(type).createIndexes(CURRENT_INDEXES.map((spec) => ({ key: spec.key, name: spec.name })));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}
