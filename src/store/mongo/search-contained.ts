/**
 * Search over the contained collection (contained.ts): the compiled criteria plus the contained
 * type, in `_id` order (`Type/id#containedId`), paged by a keyset on `_id`. Containers are read
 * in one find per container type, and an entry counts only while its container is current at the
 * version the entry was made from. With `container` rows a container is one row however many of
 * its contained resources match: its entries are adjacent in `_id` order (`#` sorts before every
 * id character), and the next page starts after `Type/id$` (`$` sorts right after `#`).
 * Totals count entries, including those left from a version being replaced.
 */
import type { Collection } from 'mongodb';
import type { ContainedMatch, ContainedPage, ContainedSearchQuery } from '../fhir-store';
import { StoreQueryError } from '../fhir-store';
import { sessionOption } from './atomic';
import { compileContainedCriteria } from './compile-query';
import type { ContainedDoc } from './contained';
import type { CurrentDoc } from './documents';
import { WITHOUT_SEARCH_INDEX, fromCurrent } from './documents';

type Row = Pick<ContainedDoc, '_id' | 'c' | 'v'>;
type CurrentCollection = (type: string) => Collection<CurrentDoc>;

const MAX_POSITION_LENGTH = 400;

function encodePosition(unit: ContainedSearchQuery['unit'], bound: string): string {
  return Buffer.from(JSON.stringify([unit, bound])).toString('base64url');
}

/** The `_id` to continue after; only a plain string comes back in, never an operator. */
function decodePosition(text: string, unit: ContainedSearchQuery['unit']): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (Array.isArray(decoded) && decoded.length === 2 && decoded[0] === unit && typeof decoded[1] === 'string' && decoded[1].length <= MAX_POSITION_LENGTH) {
    return decoded[1];
  }
  throw new StoreQueryError('The page position is not one this server issued for this search');
}

/** The current, not deleted, containers of `rows`, by `Type/id`. */
async function readContainers(current: CurrentCollection, rows: Row[]): Promise<Map<string, { type: string; doc: CurrentDoc }>> {
  const idsByType = new Map<string, Set<string>>();
  for (const row of rows) {
    const slash = row.c.indexOf('/');
    const type = row.c.slice(0, slash);
    const ids = idsByType.get(type) ?? new Set<string>();
    ids.add(row.c.slice(slash + 1));
    idsByType.set(type, ids);
  }
  const found = new Map<string, { type: string; doc: CurrentDoc }>();
  for (const [type, ids] of idsByType) {
    const docs = await current(type)
      .find({ _id: { $in: [...ids] }, deleted: false }, { projection: WITHOUT_SEARCH_INDEX, ...sessionOption() })
      .toArray();
    for (const doc of docs) found.set(`${type}/${doc._id}`, { type, doc });
  }
  return found;
}

async function countMatches(index: Collection<ContainedDoc>, filter: object, unit: ContainedSearchQuery['unit']): Promise<number> {
  if (unit === 'contained') return index.countDocuments(filter, sessionOption());
  const pipeline = [{ $match: filter }, { $group: { _id: '$c' } }, { $group: { _id: null, n: { $sum: 1 } } }];
  const [row] = await index.aggregate<{ n: number }>(pipeline, sessionOption()).toArray();
  return row?.n ?? 0;
}

export async function searchContained(index: Collection<ContainedDoc>, current: CurrentCollection, type: string, query: ContainedSearchQuery): Promise<ContainedPage> {
  if (query.criteria.some((criterion) => criterion.index === 'id' || criterion.index === 'lastUpdated')) {
    throw new StoreQueryError('_id and _lastUpdated do not apply to contained resources');
  }
  const filter = compileContainedCriteria(type, query.criteria);
  let bound = query.after === undefined ? undefined : decodePosition(query.after, query.unit);
  const rows: Array<ContainedMatch & { key: string }> = [];
  // Rows whose container moved on are skipped, so a page may take more than one batch.
  for (let more = query.count > 0; more && rows.length <= query.count; ) {
    const want = query.count + 1 - rows.length;
    const batch: Row[] = await index
      .find(bound === undefined ? filter : { $and: [filter, { _id: { $gt: bound } }] }, { projection: { _id: 1, c: 1, v: 1 }, batchSize: want, ...sessionOption() })
      .sort({ _id: 1 })
      .limit(want)
      .toArray();
    more = batch.length === want;
    bound = batch[batch.length - 1]?._id ?? bound;
    const containers = await readContainers(current, batch);
    for (const row of batch) {
      const container = containers.get(row.c);
      if (!container || container.doc.vid !== row.v) continue;
      if (query.unit === 'container' && rows[rows.length - 1]?.key === row.c) continue;
      rows.push({
        key: query.unit === 'container' ? row.c : row._id,
        container: fromCurrent(container.type, container.doc) as ContainedMatch['container'],
        containedId: row._id.slice(row.c.length + 1),
      });
    }
  }
  const page = rows.slice(0, query.count);
  const last = page[page.length - 1];
  const next = rows.length > query.count && last ? encodePosition(query.unit, query.unit === 'container' ? `${last.key}$` : last.key) : undefined;
  return {
    matches: page.map(({ container, containedId }) => ({ container, containedId })),
    next,
    total: query.total ? await countMatches(index, filter, query.unit) : undefined,
  };
}
