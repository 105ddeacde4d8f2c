/**
 * Coalesces inserts into one collection that arrive in the same event-loop turn into one
 * unordered `insertMany`, for the same reason as ReadBatcher: under concurrent writes the
 * driver's per-command CPU dominates. Each caller still learns the fate of its own document
 * (a duplicate key rejects only that insert); a lone insert is a plain insertOne.
 */
import type { Collection, OptionalUnlessRequiredId } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';

const MAX_BATCH = 500;

interface PendingInsert<T> {
  doc: T;
  resolve(): void;
  reject(err: unknown): void;
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

  constructor(private readonly collection: Collection<T>) {}

  insert(doc: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ doc, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    for (let start = 0; start < batch.length; start += MAX_BATCH) {
      void this.write(batch.slice(start, start + MAX_BATCH));
    }
  }

  private async write(batch: Array<PendingInsert<T>>): Promise<void> {
    const docs = batch.map((p) => p.doc as OptionalUnlessRequiredId<T>);
    try {
      if (docs.length === 1) await this.collection.insertOne(docs[0]!);
      else await this.collection.insertMany(docs, { ordered: false });
      for (const p of batch) p.resolve();
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError) || docs.length === 1) {
        for (const p of batch) p.reject(err);
        return;
      }
      const failed = new Map<number, InsertError>();
      const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      for (const writeError of writeErrors) failed.set(writeError.index, new InsertError(writeError.errmsg ?? 'insert failed', writeError.code));
      // Without per-document errors we cannot tell who failed: fail them all.
      if (failed.size === 0) for (const p of batch) p.reject(err);
      else batch.forEach((p, index) => (failed.has(index) ? p.reject(failed.get(index)) : p.resolve()));
    }
  }
}
