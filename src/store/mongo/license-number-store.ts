/**
 * License number allocation (domain/licensing/application/number-store.ts) in MongoDB, with
 * plain single-document writes so it behaves the same on mongo-java-server and on a replica set:
 * - `license_number_locks`: one document per series (`_id` = series) held while a number of that
 *   series is being issued; inserting it takes the lock (duplicate key: someone else holds it),
 *   deleting it releases it; a lock older than STALE_MS belongs to a dead process and is taken over.
 * - `license_numbers`: one document per number (`_id` = series/sequence, unique), `reserved`
 *   while the approval runs, `issued` after; removed if the approval fails. The next number is
 *   the series' highest + 1, read under the lock, so the sequence has no gaps, and the unique
 *   `_id` keeps numbers unique even if a lock were taken over from a slow holder.
 */
import type { Collection, Db } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { LicenseNumberStore } from '../../domain/licensing/application/number-store';
import { LicenseNumbersBusy } from '../../domain/licensing/application/number-store';

const STALE_MS = 60_000;
const WAIT_MS = 90_000;

interface LockDoc {
  _id: string;
  at: Date;
  owner: string;
}

interface NumberDoc {
  _id: string;
  series: string;
  seq: number;
  owner: string;
  state: 'reserved' | 'issued';
  at: Date;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const isDuplicate = (err: unknown) => err instanceof MongoServerError && err.code === 11000;

export class MongoLicenseNumberStore implements LicenseNumberStore {
  constructor(private readonly db: Db) {}

  private get locks(): Collection<LockDoc> {
    return this.db.collection<LockDoc>('license_number_locks');
  }

  private get numbers(): Collection<NumberDoc> {
    return this.db.collection<NumberDoc>('license_numbers');
  }

  async init(): Promise<this> {
    await this.numbers.createIndex({ series: 1, seq: -1 });
    return this;
  }

  async allocate<T>(series: string, owner: string, issue: (sequence: number) => Promise<T>): Promise<T> {
    const release = await this.lock(series, owner);
    try {
      const last = await this.numbers.find({ series }).sort({ seq: -1 }).limit(1).next();
      const seq = (last?.seq ?? 0) + 1;
      const _id = `${series}/${seq}`;
      try {
        await this.numbers.insertOne({ _id, series, seq, owner, state: 'reserved', at: new Date() });
      } catch (err) {
        if (isDuplicate(err)) throw new LicenseNumbersBusy(series);
        throw err;
      }
      let result: T;
      try {
        result = await issue(seq);
      } catch (err) {
        await this.numbers.deleteOne({ _id, state: 'reserved' });
        throw err;
      }
      // The approval stands even if this fails: a reserved number counts as taken all the same.
      await this.numbers.updateOne({ _id }, { $set: { state: 'issued' } }).catch(() => undefined);
      return result;
    } finally {
      // An unreleased lock goes stale after STALE_MS; that must not turn a done approval into an error.
      await release().catch(() => undefined);
    }
  }

  /** Waits for the series' lock; returns how to release it. */
  private async lock(series: string, owner: string): Promise<() => Promise<void>> {
    const deadline = Date.now() + WAIT_MS;
    for (let attempt = 1; ; attempt++) {
      const at = new Date();
      try {
        await this.locks.insertOne({ _id: series, at, owner });
        return async () => {
          await this.locks.deleteOne({ _id: series, at });
        };
      } catch (err) {
        if (!isDuplicate(err)) throw err;
        await this.locks.deleteOne({ _id: series, at: { $lt: new Date(at.getTime() - STALE_MS) } });
        if (Date.now() > deadline) throw new LicenseNumbersBusy(series);
        await pause(Math.min(attempt, 10) * 3 * Math.random() + 2);
      }
    }
  }
}
