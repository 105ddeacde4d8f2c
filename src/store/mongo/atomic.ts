/**
 * All-or-nothing groups of store writes (DESIGN.md §5). The active group travels in
 * AsyncLocalStorage, so store methods need no extra parameters:
 *  - with multi-document transactions (replica set, mongos) the group is one MongoDB
 *    transaction and every operation carries its session;
 *  - without them, a journal records, before each write, how to undo it; a failed group is
 *    undone in reverse order, and a group left open by a crash is undone at the next start.
 *    Isolation is weaker on this path: other requests can see a group's writes before it ends.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ClientSession, Collection, Db, MongoClient } from 'mongodb';
import type { CurrentDoc } from './documents';
import { HISTORY_COLLECTION } from './documents';

export const JOURNAL_COLLECTION = 'journal';

/**
 * How to undo one write: put `before` back (or remove the document) and drop the history entry,
 * but only while the document is still at `vid`, the version this write made; a later write by
 * someone else is not clobbered.
 */
export interface UndoStep {
  type: string;
  id: string;
  before: CurrentDoc | null;
  vid: number;
  historyKey: string;
}

interface JournalDoc {
  _id: string;
  state: 'open';
  at: Date;
  steps: UndoStep[];
}

export interface AtomicContext {
  session?: ClientSession;
  journal?: { id: string; steps: UndoStep[] };
}

const storage = new AsyncLocalStorage<AtomicContext>();

export function atomicContext(): AtomicContext | undefined {
  return storage.getStore();
}

/** Driver options for the current group: its session, if any. */
export function sessionOption(): { session?: ClientSession } {
  const session = storage.getStore()?.session;
  return session ? { session } : {};
}

export class Atomic {
  private readonly journal: Collection<JournalDoc>;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly transactions: () => boolean,
    /** A journal open longer than this belongs to a dead process (transactions are short). */
    readonly abandonedAfterMs: number,
  ) {
    this.journal = db.collection<JournalDoc>(JOURNAL_COLLECTION);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (storage.getStore()) return fn(); // already inside a group
    return this.transactions() ? this.inTransaction(fn) : this.withJournal(fn);
  }

  private async inTransaction<T>(fn: () => Promise<T>): Promise<T> {
    const session = this.client.startSession();
    try {
      session.startTransaction({ readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } });
      const result = await storage.run({ session }, fn);
      await session.commitTransaction();
      return result;
    } catch (err) {
      if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
      throw err;
    } finally {
      await session.endSession();
    }
  }

  private async withJournal<T>(fn: () => Promise<T>): Promise<T> {
    const journal = { id: randomUUID(), steps: [] as UndoStep[] };
    await this.journal.insertOne({ _id: journal.id, state: 'open', at: new Date(), steps: [] });
    try {
      const result = await storage.run({ journal }, fn);
      await this.journal.deleteOne({ _id: journal.id });
      return result;
    } catch (err) {
      await this.undo(journal.steps);
      await this.journal.deleteOne({ _id: journal.id });
      throw err;
    }
  }

  /** Records an undo step durably before the write it undoes. */
  async record(step: UndoStep): Promise<void> {
    const journal = storage.getStore()?.journal;
    if (!journal) return;
    journal.steps.push(step);
    // `at` doubles as a heartbeat: a long transaction that keeps writing is not taken for dead.
    // ($push is fine here: this path only runs on engines without transactions, which all have it.)
    await this.journal.updateOne({ _id: journal.id }, { $push: { steps: step }, $set: { at: new Date() } });
  }

  /** Drops the step of a write that did not happen (it failed or its precondition did not hold). */
  async forget(step: UndoStep): Promise<void> {
    const journal = storage.getStore()?.journal;
    if (!journal) return;
    const index = journal.steps.indexOf(step);
    if (index < 0) return;
    journal.steps.splice(index, 1);
    await this.journal.updateOne({ _id: journal.id }, { $pull: { steps: { type: step.type, id: step.id, vid: step.vid } } });
  }

  private async undo(steps: UndoStep[]): Promise<void> {
    for (const step of [...steps].reverse()) {
      const current = this.db.collection<CurrentDoc>(step.type);
      const mine = { _id: step.id, vid: step.vid };
      const undone = step.before
        ? (await current.replaceOne(mine, step.before)).matchedCount
        : (await current.deleteOne(mine)).deletedCount;
      if (undone === 1) await this.db.collection<{ _id: string }>(HISTORY_COLLECTION).deleteOne({ _id: step.historyKey });
    }
  }

  /** Undoes journals left open by a process that died mid-transaction; returns how many. */
  async recover(): Promise<number> {
    const abandoned = await this.journal.find({ at: { $lte: new Date(Date.now() - this.abandonedAfterMs) } }).toArray();
    for (const journal of abandoned) {
      await this.undo(journal.steps);
      await this.journal.deleteOne({ _id: journal._id });
    }
    return abandoned.length;
  }
}
