/**
 * History queries over the shared history collection, newest first, paged by a
 * keyset cursor on (ts, _id) so that pages stay stable while new versions arrive.
 */
import type { Collection, Filter } from 'mongodb';
import type { HistoryCursor, HistoryPage, HistoryQuery } from '../fhir-store';
import type { HistoryDoc } from './documents';
import { fromHistory } from './documents';

function scope(query: HistoryQuery): Filter<HistoryDoc> {
  const filter: Filter<HistoryDoc> = {};
  if (query.type) filter.t = query.type;
  if (query.id) filter.i = query.id;
  return filter;
}

function beforeCursor(cursor: HistoryCursor): Filter<HistoryDoc> {
  return { $or: [{ ts: { $lt: cursor.ts } }, { ts: cursor.ts, _id: { $lt: cursor.key } }] };
}

function newestFirst(a: HistoryDoc, b: HistoryDoc): number {
  const byTime = b.ts.getTime() - a.ts.getTime();
  if (byTime !== 0) return byTime;
  return a._id < b._id ? 1 : a._id > b._id ? -1 : 0;
}

function page(docs: HistoryDoc[], count: number, total?: number): HistoryPage {
  const more = docs.length > count;
  const versions = docs.slice(0, count);
  const last = versions[versions.length - 1];
  return {
    versions: versions.map((doc) => fromHistory(doc)),
    next: more && last ? { ts: last.ts, key: last._id } : undefined,
    total,
  };
}

export async function queryHistory(history: Collection<HistoryDoc>, query: HistoryQuery): Promise<HistoryPage> {
  if (query.at) return queryHistoryAt(history, query, query.at);
  const base = scope(query);
  if (query.since) base.ts = { $gte: query.since };
  const filter = query.after ? { $and: [base, beforeCursor(query.after)] } : base;
  const [docs, total] = await Promise.all([
    history
      .find(filter)
      .sort({ ts: -1, _id: -1 })
      .limit(query.count + 1)
      .toArray(),
    query.after ? Promise.resolve(undefined) : history.countDocuments(base),
  ]);
  return page(docs, query.count, total);
}

/**
 * `_at`: the versions that were current at some time within [start, end): each resource's
 * version current at `start` (its latest written at or before it, unless a deletion), plus
 * those written later inside the window.
 */
async function queryHistoryAt(
  history: Collection<HistoryDoc>,
  query: HistoryQuery,
  at: { start: Date; end: Date },
): Promise<HistoryPage> {
  const base = scope(query);
  const inside = history.find({ ...base, ts: { $gt: at.start, $lt: at.end } }).toArray();
  const before = history
    .aggregate<{ doc: HistoryDoc }>([
      { $match: { ...base, ts: { $lte: at.start } } },
      { $sort: { ts: -1, _id: -1 } },
      { $group: { _id: { t: '$t', i: '$i' }, doc: { $first: '$$ROOT' } } },
    ])
    .toArray();
  const all = [...(await inside), ...(await before).map((row) => row.doc).filter((doc) => !doc.deleted)];
  all.sort(newestFirst);
  const after = query.after;
  const remaining = after
    ? all.filter((doc) => doc.ts < after.ts || (doc.ts.getTime() === after.ts.getTime() && doc._id < after.key))
    : all;
  return page(remaining, query.count, after ? undefined : all.length);
}
