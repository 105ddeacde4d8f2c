/**
 * Searches sorted on two or more parameters: resources without a value for a key come last
 * *within* the order of the keys before it, which the phases of search.ts cannot express (they
 * order by which keys are present first). Here each parameter key is computed with the
 * missing-last sentinel (MaxKey ascending, MinKey descending) in an aggregation, then sorted and
 * paged on those computed keys. Only for engines that evaluate aggregation expressions (real
 * MongoDB, mongo-java-server; the store probes at start); the sort cannot use an index.
 */
import type { Collection, Document } from 'mongodb';
import { MaxKey, MinKey } from 'mongodb';
import type { SearchPage, SearchQuery } from '../fhir-store';
import { StoreQueryError } from '../fhir-store';
import { sessionOption } from './atomic';
import type { CurrentDoc } from './documents';
import { fromCurrent } from './documents';
import { decodePosition, encodePosition } from './page-position';
import type { Column } from './search';
import { WITHOUT_INDEX } from './search';

type KeyValue = string | number | Date | MaxKey | MinKey;

const sentinel = (column: Column): MaxKey | MinKey => (column.descending ? new MinKey() : new MaxKey());
const isSentinel = (value: unknown): boolean => value instanceof MaxKey || value instanceof MinKey;

/** "Strictly after `value`" on one computed key; comparisons match one BSON type, so the sentinel has its own test. */
function after(name: string, column: Column, value: KeyValue): Document | undefined {
  if (isSentinel(value)) return undefined; // nothing sorts after the sentinel
  const beyond = { [name]: { [column.descending ? '$lt' : '$gt']: value } };
  return column.optional ? { $or: [beyond, { [name]: sentinel(column) }] } : beyond;
}

function keyset(cols: Column[], names: string[], position: KeyValue[]): Document {
  const alternatives: Document[] = [];
  cols.forEach((column, i) => {
    const beyond = after(names[i]!, column, position[i]!);
    if (!beyond) return;
    const equalBefore = cols.slice(0, i).map((_, j) => ({ [names[j]!]: position[j] }));
    alternatives.push(equalBefore.length > 0 ? { $and: [...equalBefore, beyond] } : beyond);
  });
  return alternatives.length > 0 ? { $or: alternatives } : { _id: { $in: [] } };
}

const MARK = 'k';

function decode(text: string, cols: Column[]): KeyValue[] {
  const decoded = decodePosition(text);
  const plain = (value: unknown) =>
    typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || value instanceof Date || isSentinel(value);
  if (decoded && decoded[0] === MARK && decoded.length === cols.length + 1) {
    const values = decoded.slice(1);
    if (values.every(plain) && typeof values[values.length - 1] === 'string') return values as KeyValue[];
  }
  throw new StoreQueryError('The page position is not one this server issued for this search');
}

export async function searchSorted(collection: Collection<CurrentDoc>, type: string, query: SearchQuery, cols: Column[], filter: Document): Promise<SearchPage> {
  const names = cols.map((column, i) => (column.optional ? `_k${i}` : column.field));
  const keys = Object.fromEntries(cols.flatMap((column, i) => (column.optional ? [[names[i]!, { $ifNull: [`$${column.field}`, sentinel(column)] }]] : [])));
  // The stored sort keys stay until the computed ones exist; the index entries go at once.
  const pipeline: Document[] = [{ $match: filter }, { $project: WITHOUT_INDEX }, { $addFields: keys }];
  if (query.after !== undefined) pipeline.push({ $match: keyset(cols, names, decode(query.after, cols)) });
  pipeline.push({ $sort: Object.fromEntries(cols.map((column, i) => [names[i]!, column.descending ? -1 : 1])) }, { $limit: query.count + 1 });
  const rows = await collection.aggregate(pipeline, { batchSize: query.count + 1, ...sessionOption() }).toArray();
  const total = query.total ? await collection.countDocuments(filter, sessionOption()) : undefined;
  const page = rows.slice(0, query.count);
  const last = page[page.length - 1];
  return {
    versions: page.map((row) => fromCurrent(type, row as CurrentDoc)),
    next: rows.length > query.count && last ? encodePosition([MARK, ...names.map((name) => last[name] as KeyValue)]) : undefined,
    total,
  };
}
