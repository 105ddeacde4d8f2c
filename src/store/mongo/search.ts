/**
 * Search over the current versions of one type: the compiled criteria, an order, and keyset
 * paging. A page position is the sort values of the last row plus its id, so pages neither skip
 * nor repeat rows while others write (an offset would). Positions go to clients as opaque
 * strings and are checked on the way back: only plain values may come in (no operators).
 *
 * Order: by id when no sort is asked for; `_lastUpdated` on the version time; a parameter on its
 * stored sort key (`sort.asc.<code>`, the smallest value, or `sort.desc.<code>`, the largest).
 * Resources without a value come last, in both directions. MongoDB puts missing values first
 * when ascending, so a search on one parameter key runs in two phases: the rows that have the
 * key, sorted on it, then those that do not. Each phase is a plain find whose filter and sort an
 * index can serve, and the second is only queried when the page is not full yet. With two or
 * more parameter keys, a missing value must come last within the order of the keys before it,
 * which phases cannot express: those searches run as an aggregation (search-sorted.ts) where the
 * engine evaluates expressions. On jongodb, which does not, they fall back to phases by which
 * keys are present (2^k of them), an order that differs only for resources missing a later key.
 */
import type { Collection, Document } from 'mongodb';
import type { SearchPage, SearchQuery } from '../fhir-store';
import { StoreQueryError } from '../fhir-store';
import type { SortKey } from '../search-criteria';
import { compileCriteria } from './compile-query';
import type { CurrentDoc } from './documents';
import { SEARCH_FIELDS, fromCurrent } from './documents';
import { sessionOption } from './atomic';
import { searchSorted } from './search-sorted';
import { decodePosition, encodePosition } from './page-position';

/** Fields that only serve searching are not sent back, except the sort keys a page position needs. */
export const WITHOUT_INDEX = Object.fromEntries(SEARCH_FIELDS.filter((field) => field !== 'sort').map((field) => [field, 0]));

/** More parameter sort keys than this are refused by the FHIR layer (2^n phases). */
export const MAX_PARAMETER_SORTS = 3;

type KeyValue = string | number | Date | null;

export interface Column {
  /** The document field compared and sorted on. */
  field: string;
  descending: boolean;
  /** A parameter's key, which rows may lack (`_id` and `_lastUpdated` always exist). */
  optional: boolean;
}

function columns(sort: readonly SortKey[]): Column[] {
  const result = sort.map((key): Column => {
    if (key.key === '_id') return { field: '_id', descending: key.descending, optional: false };
    if (key.key === '_lastUpdated') return { field: 'ts', descending: key.descending, optional: false };
    return { field: `sort.${key.descending ? 'desc' : 'asc'}.${key.key}`, descending: key.descending, optional: true };
  });
  // The id breaks ties, so the order is total and a position is exact.
  if (!result.some((column) => column.field === '_id')) result.push({ field: '_id', descending: false, optional: false });
  return result.slice(0, result.findIndex((column) => column.field === '_id') + 1);
}

/** Whether column `i` has a value in `phase` (bit set = missing; the first optional key is the high bit). */
function present(cols: Column[], phase: number, i: number): boolean {
  if (!cols[i]!.optional) return true;
  const optional = cols.filter((column) => column.optional).length;
  const rank = cols.slice(0, i).filter((column) => column.optional).length;
  return (phase & (1 << (optional - 1 - rank))) === 0;
}

/** Rows after `position` in the order of the columns present in the phase. */
function keyset(cols: Column[], phase: number, position: KeyValue[]): Document {
  const used = cols.map((column, i) => ({ column, value: position[i] })).filter((_, i) => present(cols, phase, i));
  const alternatives = used.map(({ column, value }, i) => {
    const equalBefore = used.slice(0, i).map((prior) => ({ [prior.column.field]: prior.value }));
    const beyond = { [column.field]: { [column.descending ? '$lt' : '$gt']: value } };
    return equalBefore.length > 0 ? { $and: [...equalBefore, beyond] } : beyond;
  });
  return { $or: alternatives };
}

function phaseFilter(cols: Column[], phase: number): Document[] {
  return cols.flatMap((column, i) => (column.optional ? [{ [column.field]: { $exists: present(cols, phase, i) } }] : []));
}

function decodePhasePosition(text: string, cols: Column[], phases: number): { phase: number; values: KeyValue[] } {
  const decoded = decodePosition(text);
  const plain = (value: unknown) =>
    value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || value instanceof Date;
  if (decoded && decoded.length === cols.length + 1) {
    const [phase, ...values] = decoded;
    const fits = values.every((value, i) => plain(value) && (value === null) === !present(cols, phase as number, i));
    if (Number.isInteger(phase) && (phase as number) >= 0 && (phase as number) < phases && fits && typeof values[values.length - 1] === 'string') {
      return { phase: phase as number, values: values as KeyValue[] };
    }
  }
  throw new StoreQueryError('The page position is not one this server issued for this search');
}

function valueAt(row: Document, field: string): KeyValue {
  let value: unknown = row;
  for (const part of field.split('.')) value = (value as Document | undefined)?.[part];
  return (value ?? null) as KeyValue;
}

/** `expressions`: the engine evaluates aggregation expressions (then multi-parameter sorts are exact; search-sorted.ts). */
export async function searchCurrent(collection: Collection<CurrentDoc>, type: string, query: SearchQuery, expressions: boolean): Promise<SearchPage> {
  const cols = columns(query.sort);
  const optional = cols.filter((column) => column.optional).length;
  const filter = compileCriteria(query.criteria);
  if (optional >= 2 && expressions) return searchSorted(collection, type, query, cols, filter);
  const phases = 1 << optional;
  const start = query.after === undefined ? undefined : decodePhasePosition(query.after, cols, phases);
  const rows: Array<{ row: Document; phase: number }> = [];
  for (let phase = start?.phase ?? 0; phase < phases && rows.length <= query.count; phase++) {
    const and = [filter, ...phaseFilter(cols, phase)];
    if (start && phase === start.phase) and.push(keyset(cols, phase, start.values));
    const order = Object.fromEntries(
      cols.flatMap((column, i) => (present(cols, phase, i) ? [[column.field, column.descending ? -1 : 1] as const] : [])),
    );
    const found = await collection
      .find({ $and: and }, { projection: WITHOUT_INDEX, batchSize: query.count + 1 - rows.length, ...sessionOption() })
      .sort(order)
      .limit(query.count + 1 - rows.length)
      .toArray();
    for (const row of found) rows.push({ row, phase });
  }
  const total = query.total ? await collection.countDocuments(filter, sessionOption()) : undefined;
  const page = rows.slice(0, query.count);
  const last = page[page.length - 1];
  return {
    versions: page.map(({ row }) => fromCurrent(type, row as CurrentDoc)),
    next: rows.length > query.count && last ? encodePosition([last.phase, ...cols.map((column) => valueAt(last.row, column.field))]) : undefined,
    total,
  };
}

/** Ids of the matching resources, at most `limit`. */
export async function matchIds(collection: Collection<CurrentDoc>, criteria: SearchQuery['criteria'], limit: number): Promise<string[]> {
  const rows = await collection
    .find(compileCriteria(criteria), { projection: { _id: 1 }, batchSize: limit, ...sessionOption() })
    .limit(limit)
    .toArray();
  return rows.map((row) => row._id);
}

/** The distinct references (`r`) of parameter `p` in the matching resources, at most `limit`. */
export async function matchReferences(collection: Collection<CurrentDoc>, criteria: SearchQuery['criteria'], p: string, limit: number): Promise<string[]> {
  const found = new Set<string>();
  // One batch (up to 16 MB) rather than MongoDB's default first batch of 101 documents and getMores.
  const cursor = collection.find(compileCriteria(criteria), { projection: { ref: 1 }, batchSize: limit, ...sessionOption() });
  for await (const row of cursor) {
    for (const entry of ((row as Document).ref ?? []) as Array<{ p: string; r: string }>) {
      if (entry.p === p) found.add(entry.r);
    }
    if (found.size >= limit) break;
  }
  await cursor.close();
  return [...found];
}
