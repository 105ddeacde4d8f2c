/**
 * Indexes created at start. Current collections are keyed by logical id (`_id`);
 * `ts` serves _lastUpdated ordering. The history collection is keyed by
 * `Type/id/vid` (which also makes each version unique) and ordered by time for
 * system, type and instance history.
 */
import type { Db } from 'mongodb';
import { HISTORY_COLLECTION } from './documents';

const PARALLEL = 16;

export async function ensureIndexes(db: Db, resourceTypes: readonly string[]): Promise<void> {
  const history = db.collection(HISTORY_COLLECTION);
  await Promise.all([
    history.createIndex({ ts: -1, _id: -1 }, { name: 'ts' }),
    history.createIndex({ t: 1, ts: -1, _id: -1 }, { name: 'type_ts' }),
    history.createIndex({ t: 1, i: 1, v: -1 }, { name: 'type_id_version' }),
  ]);
  const queue = [...resourceTypes];
  const worker = async (): Promise<void> => {
    for (let type = queue.shift(); type !== undefined; type = queue.shift()) {
      await db.collection(type).createIndex({ ts: -1 }, { name: 'ts' });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}
