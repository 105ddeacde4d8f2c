/**
 * Coalesces inserts into one collection that arrive in the same event-loop turn into one
 * unordered insert, for the same reason as ReadBatcher: under concurrent writes the driver's
 * per-command CPU dominates. Each caller still learns the fate of its own document (a duplicate
 * key rejects only that insert); a lone insert is a plain insertOne.
 *
 * A batch whose documents are all known to be small goes out as one `insert` command: the
 * driver's insertMany first measures every document's BSON size to split the batch, which cost
 * about a tenth of a create's CPU. Batches are cut where their size estimates would pass a
 * command's budget, so large batches of estimated documents (a burst of AuditEvents) still go
 * out as commands. Batches with documents of unknown size use insertMany, which splits them as needed.
 */
import type { Collection, Db, Document, OptionalUnlessRequiredId } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';

const MAX_BATCH = 500;
/** Well under MongoDB's 16 MB command limit, for estimates that may be a few times off. */
const MAX_COMMAND_ESTIMATE_BYTES = 4 * 1024 * 1024;

interface PendingInsert<T> {
  doc: T;
  /** An upper estimate of its BSON size, when the caller knows one. */
  bytes?: number;
  resolve(): void;
  reject(err: unknown): void;
}

interface WriteError {
  index: number;
  code?: number;
  errmsg?: string;
}

/** The error of one document in a failed batch: carries the server's code (e.g. 11000). */
export class InsertError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
    this.name = 'InsertError';
  }
}

export class InsertBatcher<T extends { _id: string }> {
  private pending: Array<PendingInsert<T>> = [];

  constructor(
    private readonly collection: Collection<T>,
    private readonly db: Db,
  ) {}

  insert(doc: T, bytes?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ doc, bytes, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    for (const part of parts(batch)) void this.write(part);
  }

  private async write(batch: Array<PendingInsert<T>>): Promise<void> {
    const docs = batch.map((p) => p.doc as OptionalUnlessRequiredId<T>);
    try {
      if (docs.length === 1) await this.collection.insertOne(docs[0]!);
      else if (knownSmall(batch)) return this.settle(batch, await this.insertCommand(docs));
      else await this.collection.insertMany(docs, { ordered: false });
      for (const p of batch) p.resolve();
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError) || docs.length === 1) {
        for (const p of batch) p.reject(err);
        return;
      }
      const writeErrors = (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]).filter((e): e is WriteError => e !== undefined);
      // Without per-document errors we cannot tell who failed: fail them all.
      if (writeErrors.length === 0) for (const p of batch) p.reject(err);
      else this.settle(batch, writeErrors);
    }
  }

  /** One `insert` command; its per-document errors come back in the reply, not thrown. */
  private async insertCommand(docs: readonly object[]): Promise<WriteError[]> {
    const reply: Document = await this.db.command({ insert: this.collection.collectionName, documents: docs, ordered: false });
    if (reply.writeConcernError) throw new Error(`insert: write concern not met: ${String(reply.writeConcernError.errmsg ?? '')}`);
    return Array.isArray(reply.writeErrors) ? (reply.writeErrors as WriteError[]) : [];
  }

  /** Each caller learns its own fate: its document's write error, or success. */
  private settle(batch: Array<PendingInsert<T>>, writeErrors: readonly WriteError[]): void {
    const failed = new Map(writeErrors.map((e) => [e.index, new InsertError(e.errmsg ?? 'insert failed', e.code)]));
    batch.forEach((p, index) => (failed.has(index) ? p.reject(failed.get(index)) : p.resolve()));
  }
}

/** At most MAX_BATCH documents each, cut before the size estimates would pass a command's budget. */
function parts<T>(batch: Array<PendingInsert<T>>): Array<Array<PendingInsert<T>>> {
  const result: Array<Array<PendingInsert<T>>> = [];
  let part: Array<PendingInsert<T>> = [];
  let bytes = 0;
  for (const pending of batch) {
    const size = pending.bytes ?? 0;
    if (part.length > 0 && (part.length >= MAX_BATCH || bytes + size > MAX_COMMAND_ESTIMATE_BYTES)) {
      result.push(part);
      part = [];
      bytes = 0;
    }
    part.push(pending);
    bytes += size;
  }
  if (part.length > 0) result.push(part);
  return result;
}

function knownSmall(batch: ReadonlyArray<PendingInsert<unknown>>): boolean {
  let total = 0;
  for (const p of batch) {
    if (p.bytes === undefined) return false;
    total += p.bytes;
  }
  return total <= MAX_COMMAND_ESTIMATE_BYTES;
}
