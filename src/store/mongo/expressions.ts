/**
 * Whether the engine evaluates aggregation expressions. Real MongoDB and mongo-java-server do;
 * jongodb returns `$addFields` expressions as literal values. Probed once at start with a
 * document in a scratch collection (removed again).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';

const PROBE_COLLECTION = 'engine_probe';

export async function detectExpressions(db: Db): Promise<boolean> {
  const probe = db.collection<{ _id: string }>(PROBE_COLLECTION);
  // Unique even when several servers of one process start on one database in the same millisecond.
  const id = `expressions-${randomUUID()}`;
  await probe.insertOne({ _id: id });
  try {
    const [row] = await probe.aggregate([{ $match: { _id: id } }, { $addFields: { value: { $ifNull: ['$missing', 1] } } }]).toArray();
    return row?.value === 1;
  } catch {
    return false;
  } finally {
    await probe.deleteOne({ _id: id });
  }
}
