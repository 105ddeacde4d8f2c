/**
 * Indexes created at start, declared as data so tests can check that every query the store
 * issues is served by one (the test engines ignore secondary indexes and have no `explain`).
 * Current collections are keyed by logical id (`_id`); `ts` serves _lastUpdated ordering. The
 * history collection is keyed by `Type/id/vid` (which also makes each version unique) and
 * ordered by time for system, type and instance history.
 */
import type { Db, IndexDirection } from 'mongodb';
import { HISTORY_COLLECTION } from './documents';

export interface IndexSpec {
  name: string;
  key: Record<string, IndexDirection>;
}

export const HISTORY_INDEXES: readonly IndexSpec[] = [
  { name: 'ts', key: { ts: -1, _id: -1 } },
  { name: 'type_ts', key: { t: 1, ts: -1, _id: -1 } },
  { name: 'type_id_ts', key: { t: 1, i: 1, ts: -1, _id: -1 } },
];

export const CURRENT_INDEXES: readonly IndexSpec[] = [
  { name: 'ts', key: { ts: -1 } },
];

const PARALLEL = 16;

export async function ensureIndexes(db: Db, resourceTypes: readonly string[]): Promise<void> {
  const history = db.collection(HISTORY_COLLECTION);
  await Promise.all(HISTORY_INDEXES.map((spec) => history.createIndex(spec.key, { name: spec.name })));
  const queue = [...resourceTypes];
  const worker = async (): Promise<void> => {
    for (let type = queue.shift(); type !== undefined; type = queue.shift()) {
      for (const spec of CURRENT_INDEXES) await db.collection(type).createIndex(spec.key, { name: spec.name });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}
