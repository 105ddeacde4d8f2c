/**
 * The index of contained resources (search.html#contained). The `contained` collection holds one
 * document per contained resource of every current resource:
 * `{_id: 'Type/id#containedId', t: contained type, c: 'Type/id', v: container version, str, tok, …}`,
 * the index fields being those of the contained resource extracted for its own type. The
 * container's current document counts its entries (`cn`), so writing a resource without contained
 * resources costs no extra round trip. A write of a container replaces its entries right after the
 * current document, inside the same group when there is one (the journal keeps the entries it
 * replaces, for the undo). Searches keep an entry only while its container is current at the
 * version `v` the entry was made from, so a crash or two racing writers of one container can cost
 * a match until its next write, but never produce a wrong one.
 */
import type { Collection } from 'mongodb';
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import type { ContainedIndex } from '../fhir-store';
import { atomicContext, sessionOption } from './atomic';
import { SEARCH_FIELDS } from './documents';

type IndexField = Exclude<(typeof SEARCH_FIELDS)[number], 'sort'>;

export interface ContainedDoc extends Partial<Record<IndexField, unknown>> {
  _id: string;
  /** The contained resource's type. */
  t: string;
  /** The container, `Type/id`. */
  c: string;
  /** The container version the entry was made from. */
  v: number;
}

const DUPLICATE_KEY = 11000;

export function containerKey(type: string, id: string): string {
  return `${type}/${id}`;
}

/** One entry per contained id: a repeated id (invalid FHIR) would collide on `_id`; the first one is kept. */
export function uniqueContained(entries: readonly ContainedIndex[] | undefined): ContainedIndex[] {
  const byId = new Map<string, ContainedIndex>();
  for (const entry of entries ?? []) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  return [...byId.values()];
}

/** The entries of container `type/id` at version `vid`. Sort keys are left out: contained searches are not sorted. */
export function containedDocs(type: string, id: string, vid: number, entries: readonly ContainedIndex[]): ContainedDoc[] {
  const c = containerKey(type, id);
  return entries.map((entry) => {
    const doc: ContainedDoc = { _id: `${c}#${entry.id}`, t: entry.resourceType, c, v: vid };
    const search = entry.search as Record<string, unknown>;
    for (const field of SEARCH_FIELDS) if (field !== 'sort' && search[field] !== undefined) doc[field] = search[field];
    return doc;
  });
}

/** `$set`/`$unset` of the container's entry count `cn`. */
export function containedCount(count: number): { set: { cn?: number }; unset: { cn?: '' } } {
  return count > 0 ? { set: { cn: count }, unset: {} } : { set: {}, unset: { cn: '' } };
}

function isDuplicateKey(err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    return writeErrors.some((writeError) => writeError?.code === DUPLICATE_KEY);
  }
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

/**
 * Inserts entries in one round trip. Outside groups a duplicate id means that a concurrent write
 * of the same container got there first: its entries stand (searches check their version).
 */
export async function insertContained(index: Collection<ContainedDoc>, docs: ContainedDoc[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await index.insertMany(docs, { ordered: true, ...sessionOption() });
  } catch (err) {
    if (atomicContext() || !isDuplicateKey(err)) throw err;
  }
}

/** After container `type/id` was written at version `vid`: the entries of older versions go (when it had some), `docs` come. */
export async function replaceContained(index: Collection<ContainedDoc>, type: string, id: string, vid: number, docs: ContainedDoc[], hadEntries: boolean): Promise<void> {
  if (hadEntries) await index.deleteMany({ c: containerKey(type, id), v: { $lt: vid } }, sessionOption());
  await insertContained(index, docs);
}

/** The current entries of a container (the journal keeps them before a write replaces them). */
export function readContained(index: Collection<ContainedDoc>, type: string, id: string): Promise<ContainedDoc[]> {
  return index.find({ c: containerKey(type, id) }).toArray();
}
