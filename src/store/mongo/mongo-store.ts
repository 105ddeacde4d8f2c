/**
 * FhirStore on MongoDB: one collection per resource type holds the current
 * version, the shared `history` collection holds every version.
 *
 * Round trips: read 1; create 2 (insert current, insert history); update and
 * delete 2 (atomic findOneAndUpdate with $inc on the version, insert history). Inside an
 * all-or-nothing group, creates are sent in bulk (pending-creates.ts): one insertMany per
 * resource type and one for history, whatever the number of resources. A resource with
 * contained resources costs one more insert (and one delete when replacing): contained.ts.
 * The version counter is incremented atomically by the server, so two writers can
 * never produce the same version and an If-Match update loses cleanly.
 */
import type { Collection, Db, MongoClient } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';
import type { Meta, Resource } from '@medplum/fhirtypes';
import type {
  ContainedPage,
  ContainedSearchQuery,
  FhirStore,
  IndexValues,
  NewEntry,
  SearchPage,
  SearchQuery,
  SizeHint,
  HistoryPage,
  HistoryQuery,
  MetaChange,
  StoredVersion,
  UpdateOptions,
  UpdateResult,
} from '../fhir-store';
import { StoreConflictError, applyMetaChange } from '../fhir-store';
import type { CurrentDoc, HistoryDoc } from './documents';
import { CONTAINED_COLLECTION, HISTORY_COLLECTION, bodyUpdate, fromCurrent, fromHistory, historyEntry, historyKey, materialize, packBody, isStoredForm, searchFields, toStoredBody, unpackBody, WITHOUT_SEARCH_INDEX } from './documents';
import { firstFailedIndex, isDuplicateKey, writeConflict } from './write-errors';
import { matchIds, matchReferences, searchCurrent } from './search';
import { searchContained } from './search-contained';
import type { ContainedDoc } from './contained';
import { containedCount, containedDocs, insertContained, readContained, replaceContained, uniqueContained } from './contained';
import type { Criterion } from '../search-criteria';
import { ensureIndexes } from './indexes';
import { detectTransactions } from './transactions';
import { detectExpressions } from './expressions';
import { queryHistory } from './history';
import { collectMetaInUse } from './meta-in-use';
import { ReadBatcher } from './read-batcher';
import { InsertBatcher } from './insert-batcher';
import { CLAIMS_COLLECTION, acquireClaim, withClaim } from './claims';
import type { ClaimDoc } from './claims';
import { Atomic, atomicContext, sessionOption } from './atomic';
import type { AtomicContext, UndoStep } from './atomic';

/** A deletion's history entry: no body. */
const DELETION_BYTES = 1024;

/**
 * An upper estimate of a current document's BSON size from its resource's JSON size: the body
 * plus a search index that is rarely more than twice the body (InsertBatcher sends batches of
 * documents with estimates as one command, well under the 16 MB limit).
 */
function estimatedBytes(jsonBytes: number | undefined): number | undefined {
  return jsonBytes === undefined ? undefined : 4 * jsonBytes + 16 * 1024;
}

export class MongoFhirStore implements FhirStore {
  supportsTransactions = false;
  /** Whether the engine evaluates aggregation expressions (jongodb does not): probed at start. */
  private expressions = false;
  private readonly versions: Collection<HistoryDoc>;
  /** The index of contained resources (contained.ts). */
  private readonly containedIndex: Collection<ContainedDoc>;
  private readonly collections = new Map<string, Collection<CurrentDoc>>();
  private readonly readers = new Map<string, ReadBatcher<CurrentDoc>>();
  private readonly inserters = new Map<string, InsertBatcher<CurrentDoc>>();
  private readonly historyInserter: InsertBatcher<HistoryDoc>;
  private readonly atomic: Atomic;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    options: { journalRecoveryAgeMs?: number } = {},
  ) {
    this.versions = db.collection<HistoryDoc>(HISTORY_COLLECTION);
    this.containedIndex = db.collection<ContainedDoc>(CONTAINED_COLLECTION);
    this.historyInserter = new InsertBatcher(this.versions, this.db);
    this.atomic = new Atomic(client, db, {
      transactions: () => this.supportsTransactions,
      abandonedAfterMs: options.journalRecoveryAgeMs ?? 60_000,
      beforeEnd: (context) => this.sendPendingCreates(context),
    });
  }

  async init(resourceTypes: readonly string[]): Promise<void> {
    this.supportsTransactions = await detectTransactions(this.db);
    this.expressions = await detectExpressions(this.db);
    await ensureIndexes(this.db, resourceTypes);
    await this.atomic.recover();
    // Journals of a process that died just before this start are not old enough yet: look again.
    if (this.atomic.abandonedAfterMs > 0) {
      setTimeout(() => void this.atomic.recover().catch(() => undefined), this.atomic.abandonedAfterMs + 1000).unref();
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  private current(type: string): Collection<CurrentDoc> {
    let collection = this.collections.get(type);
    if (!collection) {
      collection = this.db.collection<CurrentDoc>(type);
      this.collections.set(type, collection);
    }
    return collection;
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.atomic.run(fn);
  }

  async read(type: string, id: string): Promise<StoredVersion | undefined> {
    if (atomicContext()) {
      await this.settle();
      // Inside a transaction reads must use its session, so they are not coalesced.
      const doc = await this.current(type).findOne({ _id: id }, { projection: WITHOUT_SEARCH_INDEX, ...sessionOption() });
      return doc ? fromCurrent(type, doc) : undefined;
    }
    let reader = this.readers.get(type);
    if (!reader) {
      reader = new ReadBatcher(this.current(type), WITHOUT_SEARCH_INDEX);
      this.readers.set(type, reader);
    }
    const doc = await reader.load(id);
    return doc ? fromCurrent(type, doc) : undefined;
  }

  async vread(type: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    await this.settle();
    const doc = await this.versions.findOne({ _id: historyKey(type, id, versionId) }, sessionOption());
    return doc ? fromHistory(doc) : undefined;
  }

  async create(resource: Resource & { id: string }, options: SizeHint = {}): Promise<StoredVersion> {
    const type = resource.resourceType;
    const { doc, contained, body } = this.newDoc(resource, options);
    const context = atomicContext();
    // Inside a group a create waits to go out in bulk; its id is new, so nothing depends on it yet.
    if (context) context.creates.add(type, doc, contained);
    else await this.insertNow(type, doc, contained, estimatedBytes(options.sizeHint));
    return fromCurrent(type, doc, body);
  }

  async createMany(entries: ReadonlyArray<NewEntry>): Promise<Array<PromiseSettledResult<StoredVersion>>> {
    const built = entries.map((entry) => ({ ...this.newDoc(entry.resource, entry, entry.json), type: entry.resource.resourceType, bytes: estimatedBytes(entry.sizeHint) }));
    // Handed to the batchers in one turn, so each collection gets them in one command.
    const current = await Promise.allSettled(built.map(({ type, doc, bytes }) => this.inserter(type).insert(doc, bytes)));
    const stored = built.filter((_, i) => current[i]!.status === 'fulfilled');
    const history = await Promise.allSettled(stored.map(({ type, doc, bytes }) => this.historyInserter.insert(historyEntry(type, doc), bytes)));
    const historyFailure = new Map(stored.map((entry, i) => [entry, history[i]!.status === 'rejected' ? (history[i] as PromiseRejectedResult).reason : undefined]));
    await insertContained(this.containedIndex, stored.flatMap(({ contained }) => contained));
    return built.map((entry, i): PromiseSettledResult<StoredVersion> => {
      const outcome = current[i]!;
      if (outcome.status === 'rejected') {
        const err: unknown = outcome.reason;
        return { status: 'rejected', reason: isDuplicateKey(err) ? new StoreConflictError(`${entry.type}/${entry.doc._id} already exists`, 'exists') : err };
      }
      const failure: unknown = historyFailure.get(entry);
      if (failure !== undefined) return { status: 'rejected', reason: failure };
      return { status: 'fulfilled', value: fromCurrent(entry.type, entry.doc, entry.body) };
    });
  }

  private inserter(type: string): InsertBatcher<CurrentDoc> {
    let inserter = this.inserters.get(type);
    if (!inserter) {
      inserter = new InsertBatcher(this.current(type), this.db);
      this.inserters.set(type, inserter);
    }
    return inserter;
  }

  /** Version 1 of a resource (and its stored body), and the index entries of its contained resources. */
  private newDoc(resource: Resource & { id: string }, options: Pick<UpdateOptions, 'index'>, json?: string): { doc: CurrentDoc; contained: ContainedDoc[]; body: Record<string, unknown> } {
    const body = toStoredBody(resource);
    const packed = packBody(body, json !== undefined && isStoredForm(resource, json) ? json : undefined);
    const doc: CurrentDoc = { _id: resource.id, vid: 1, ts: new Date(), deleted: false, method: 'POST', ...packed };
    Object.assign(doc, searchFields(options.index?.search).set);
    const contained = containedDocs(resource.resourceType, resource.id, 1, uniqueContained(options.index?.contained));
    Object.assign(doc, containedCount(contained.length).set);
    return { doc, contained, body };
  }

  /** Inserts version 1 at once (outside groups coalesced with concurrent inserts); duplicate ids are a conflict. */
  private async insertNow(type: string, doc: CurrentDoc, contained: ContainedDoc[], bytes?: number): Promise<void> {
    try {
      if (atomicContext()) {
        await this.settle();
        const step: UndoStep = { type, id: doc._id, before: null, vid: 1, historyKey: historyKey(type, doc._id, 1), writesContained: contained.length > 0 };
        await this.atomic.record(step);
        await this.current(type)
          .insertOne(doc, sessionOption())
          .catch(async (err: unknown) => {
            await this.atomic.forget(step);
            throw err;
          });
      } else {
        await this.inserter(type).insert(doc, bytes);
      }
    } catch (err) {
      if (isDuplicateKey(err)) throw new StoreConflictError(`${type}/${doc._id} already exists`, 'exists');
      throw err;
    }
    await this.appendHistory(type, doc, bytes);
    await insertContained(this.containedIndex, contained);
  }

  /** Sends the group's pending creates (no-op outside a group or when none wait). */
  private async settle(): Promise<void> {
    const context = atomicContext();
    if (context && context.creates.size > 0) await this.sendPendingCreates(context);
  }

  /**
   * One insertMany per type, then one for history, after journaling their undo steps in one
   * round trip. Inserts are ordered, so after a failure the documents before the failing one
   * exist and the others do not; the steps of the others are forgotten (a duplicate id must
   * not make the undo delete someone else's resource).
   */
  private async sendPendingCreates(context: AtomicContext): Promise<void> {
    const { byType, contained } = context.creates.take();
    if (byType.size === 0) return;
    const steps = new Map<string, UndoStep[]>();
    for (const [type, docs] of byType) {
      const step = (doc: CurrentDoc): UndoStep => ({ type, id: doc._id, before: null, vid: 1, historyKey: historyKey(type, doc._id, 1), writesContained: doc.cn !== undefined });
      steps.set(type, docs.map(step));
    }
    await this.atomic.record(...[...steps.values()].flat());
    const history: HistoryDoc[] = [];
    for (const [type, docs] of byType) {
      try {
        await this.current(type).insertMany(docs, { ordered: true, ...sessionOption() });
      } catch (err) {
        // Documents before the first failing one were written; from it on, none were. (The
        // reported insertedCount is not reliable on every engine; the error index is.)
        const inserted = err instanceof MongoBulkWriteError ? firstFailedIndex(err) : docs.length;
        await this.atomic.forget(...steps.get(type)!.slice(inserted));
        const failed = docs[inserted];
        if (isDuplicateKey(err) && failed) throw new StoreConflictError(`${type}/${failed._id} already exists`, 'exists');
        throw writeConflict(err, type, failed?._id ?? '?');
      }
      for (const doc of docs) history.push(historyEntry(type, doc));
    }
    await this.versions.insertMany(history, { ordered: true, ...sessionOption() });
    await insertContained(this.containedIndex, contained);
  }

  async update(resource: Resource & { id: string }, options: UpdateOptions = {}): Promise<UpdateResult> {
    if (options.createOnly) {
      try {
        const { doc, contained, body } = this.newDoc(resource, options);
        await this.insertNow(resource.resourceType, doc, contained, estimatedBytes(options.sizeHint));
        return { version: fromCurrent(resource.resourceType, doc, body), created: true };
      } catch (err) {
        if (err instanceof StoreConflictError) {
          throw new StoreConflictError(`${resource.resourceType}/${resource.id} already exists`, 'exists');
        }
        throw err;
      }
    }
    const type = resource.resourceType;
    const id = resource.id;
    const ts = new Date();
    const body = toStoredBody(resource);
    const packed = packBody(body);
    const { set, unset } = bodyUpdate(packed);
    const index = searchFields(options.index?.search);
    const containedEntries = uniqueContained(options.index?.contained);
    const count = containedCount(containedEntries.length);
    const method = options.method ?? 'PUT';
    const filter = options.ifMatch === undefined ? { _id: id } : { _id: id, vid: options.ifMatch, deleted: false };
    let before: CurrentDoc | null;
    const step = await this.recordUndo(type, id, containedEntries.length > 0);
    try {
      before = await this.current(type).findOneAndUpdate(
        filter,
        {
          $inc: { vid: 1 },
          $set: { ts, deleted: false, method, ...set, ...index.set, ...count.set },
          $unset: { ...unset, ...index.unset, ...count.unset },
        },
        // Only the version, deleted flag and contained count of the previous document are needed, not its body.
        { upsert: options.ifMatch === undefined, returnDocument: 'before', projection: { vid: 1, deleted: 1, cn: 1 }, ...sessionOption() },
      );
    } catch (err) {
      if (step) await this.atomic.forget(step);
      // Two concurrent update-as-creates of a new id: one upsert wins, the other retries as an update.
      if (isDuplicateKey(err) && options.ifMatch === undefined) return this.update(resource, options);
      throw writeConflict(err, type, id);
    }
    if (!before && options.ifMatch !== undefined) {
      if (step) await this.atomic.forget(step);
      const now = await this.current(type).findOne({ _id: id }, { projection: { vid: 1, deleted: 1 }, ...sessionOption() });
      throw new StoreConflictError(
        now && !now.deleted ? `Version ${options.ifMatch} is not the current version (${now.vid})` : `${type}/${id} does not exist`,
        now && !now.deleted ? 'version-mismatch' : 'not-found',
        now?.vid,
      );
    }
    const vid = (before?.vid ?? 0) + 1;
    const doc: CurrentDoc = { _id: id, vid, ts, deleted: false, method, ...packed };
    await this.appendHistory(type, doc, estimatedBytes(options.sizeHint));
    await replaceContained(this.containedIndex, type, id, vid, containedDocs(type, id, vid, containedEntries), before?.cn !== undefined);
    return { version: fromCurrent(type, doc, body), created: !before || before.deleted };
  }

  async delete(type: string, id: string, options: { ifMatch?: number } = {}): Promise<StoredVersion | undefined> {
    const ts = new Date();
    const filter =
      options.ifMatch === undefined ? { _id: id, deleted: false } : { _id: id, deleted: false, vid: options.ifMatch };
    const step = await this.recordUndo(type, id, false);
    const after = await this.undoable(step, () =>
      this.current(type)
        .findOneAndUpdate(
          filter,
          { $inc: { vid: 1 }, $set: { ts, deleted: true, method: 'DELETE' } },
          { returnDocument: 'after', projection: { resource: 0, z: 0 }, ...sessionOption() },
        )
        .catch((err: unknown) => {
          throw writeConflict(err, type, id);
        }),
    );
    if (!after) {
      if (options.ifMatch !== undefined) {
        const now = await this.current(type).findOne({ _id: id }, { projection: { vid: 1, deleted: 1 }, ...sessionOption() });
        if (now && !now.deleted) {
          throw new StoreConflictError(
            `Version ${options.ifMatch} is not the current version (${now.vid})`,
            'version-mismatch',
            now.vid,
          );
        }
      }
      return undefined;
    }
    await this.appendHistory(type, after);
    // The deleted document keeps `cn`: harmless, and the entries of its contained resources go now.
    if (after.cn !== undefined) await replaceContained(this.containedIndex, type, id, after.vid, [], true);
    return fromCurrent(type, after);
  }

  /**
   * On the journal path, the full current document (and the index entries of its contained
   * resources) are saved before it changes, so a failed transaction can put them back. The next
   * version's history entry is the one to remove.
   */
  private async recordUndo(type: string, id: string, writesContained: boolean): Promise<UndoStep | undefined> {
    await this.settle();
    if (!atomicContext()?.journal) return undefined;
    const before = await this.current(type).findOne({ _id: id });
    const vid = (before?.vid ?? 0) + 1;
    const step: UndoStep = { type, id, before, vid, historyKey: historyKey(type, id, vid), writesContained };
    if (before?.cn !== undefined) step.containedBefore = await readContained(this.containedIndex, type, id);
    await this.atomic.record(step);
    return step;
  }

  /** Runs a write recorded by `step`; when it does not happen, its undo step is dropped. */
  private async undoable<T>(step: UndoStep | undefined, write: () => Promise<T | null>): Promise<T | null> {
    let result: T | null;
    try {
      result = await write();
    } catch (err) {
      if (step) await this.atomic.forget(step);
      throw err;
    }
    if (result === null && step) await this.atomic.forget(step);
    return result;
  }

  private async appendHistory(type: string, doc: CurrentDoc, bytes?: number): Promise<void> {
    const entry = historyEntry(type, doc);
    if (atomicContext()) await this.versions.insertOne(entry, sessionOption());
    else await this.historyInserter.insert(entry, doc.deleted ? DELETION_BYTES : bytes);
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    await this.settle();
    return queryHistory(this.versions, query);
  }

  async changeMeta(type: string, id: string, versionId: number, change: MetaChange, index?: (resource: Resource) => IndexValues): Promise<StoredVersion | undefined> {
    await this.settle();
    const key = historyKey(type, id, versionId);
    const entry = await this.versions.findOne({ _id: key });
    const body = entry && !entry.deleted ? unpackBody(entry) : undefined;
    if (!entry || !body) return undefined;
    const resource = toStoredBody(applyMetaChange(body as unknown as Resource, change));
    const packed = packBody(resource);
    const { set, unset } = bodyUpdate(packed);
    await this.versions.updateOne({ _id: key }, { $set: set, $unset: unset });
    // The current document changes only if this version is still current, and is found by its new labels.
    const search = index ? searchFields(index(materialize(resource, versionId, entry.ts)).search) : { set: {}, unset: {} };
    await this.current(type).updateOne({ _id: id, vid: versionId, deleted: false }, { $set: { ...set, ...search.set }, $unset: { ...unset, ...search.unset } });
    return fromHistory({ ...entry, resource: undefined, z: undefined, ...packed }, resource);
  }

  async search(type: string, query: SearchQuery): Promise<SearchPage> {
    await this.settle();
    return searchCurrent(this.current(type), type, query, this.expressions);
  }

  async searchContained(type: string, query: ContainedSearchQuery): Promise<ContainedPage> {
    await this.settle();
    return searchContained(this.containedIndex, (container) => this.current(container), type, query);
  }

  async rewriteIndex(type: string, entries: ReadonlyArray<{ id: string; versionId: number; index: IndexValues }>): Promise<number> {
    await this.settle();
    const operations = entries.map(({ id, versionId, index }) => {
      const fields = searchFields(index.search);
      // MongoDB refuses an empty $set or $unset.
      const update: Record<string, object> = {};
      if (Object.keys(fields.set).length > 0) update.$set = fields.set;
      if (Object.keys(fields.unset).length > 0) update.$unset = fields.unset;
      return { updateOne: { filter: { _id: id, vid: versionId }, update } };
    });
    // Ordered: jongodb has no unordered bulk writes.
    const result = await this.current(type).bulkWrite(operations as never, { ordered: true, ...sessionOption() });
    await this.rewriteContained(type, entries);
    return result.matchedCount;
  }

  /** The contained entries of the reindexed containers still at the version reindexed (the body, so its contained ids, did not change). */
  private async rewriteContained(type: string, entries: ReadonlyArray<{ id: string; versionId: number; index: IndexValues }>): Promise<void> {
    const withContained = entries.filter(({ index }) => (index.contained?.length ?? 0) > 0);
    if (withContained.length === 0) return;
    const ids = withContained.map(({ id }) => id);
    const current = await this.current(type).find({ _id: { $in: ids } }, { projection: { vid: 1 }, ...sessionOption() }).toArray();
    const versions = new Map(current.map((doc) => [doc._id, doc.vid]));
    const unchanged = withContained.filter(({ id, versionId }) => versions.get(id) === versionId);
    if (unchanged.length === 0) return;
    await this.containedIndex.deleteMany({ c: { $in: unchanged.map(({ id }) => `${type}/${id}`) } }, sessionOption());
    await insertContained(this.containedIndex, unchanged.flatMap(({ id, versionId, index }) => containedDocs(type, id, versionId, uniqueContained(index.contained))));
  }

  async matchIds(type: string, criteria: Criterion[], limit: number): Promise<string[]> {
    await this.settle();
    return matchIds(this.current(type), criteria, limit);
  }

  async matchReferences(type: string, criteria: Criterion[], p: string, limit: number): Promise<string[]> {
    await this.settle();
    return matchReferences(this.current(type), criteria, p, limit);
  }

  /** Inside a group the claim is held until the group ends: its writes are not final before. */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const claims = this.db.collection<ClaimDoc>(CLAIMS_COLLECTION);
    const context = atomicContext();
    if (!context) return withClaim(claims, key, fn);
    if (!context.claims.has(key)) context.claims.set(key, await acquireClaim(claims, key));
    return fn();
  }

  async metaInUse(types: readonly string[]): Promise<Meta> {
    await this.settle();
    return collectMetaInUse(types.map((type) => this.current(type)));
  }

  async seed(resources: ReadonlyArray<Resource & { id: string }>, index?: (resource: Resource) => IndexValues): Promise<number> {
    let stored = 0;
    const byType = new Map<string, Array<Resource & { id: string }>>();
    for (const resource of resources) {
      const list = byType.get(resource.resourceType) ?? [];
      list.push(resource);
      byType.set(resource.resourceType, list);
    }
    for (const [type, list] of byType) {
      const existing = new Set(
        (await this.current(type).find({}, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id),
      );
      const created = list.filter((resource) => !existing.has(resource.id)).map((resource) => this.newDoc(resource, { index: index?.(resource) }));
      const docs = created.map(({ doc }) => doc);
      if (docs.length === 0) continue;
      await this.current(type).insertMany(docs);
      await this.versions.insertMany(docs.map((doc) => historyEntry(type, doc)));
      await insertContained(this.containedIndex, created.flatMap(({ contained }) => contained));
      stored += docs.length;
    }
    return stored;
  }
}
