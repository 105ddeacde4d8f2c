/**
 * All-or-nothing groups of store writes (DESIGN.md §5). The active group travels in
 * AsyncLocalStorage, so store methods need no extra parameters:
 *  - with multi-document transactions (replica set, mongos) the group is one MongoDB
 *    transaction and every operation carries its session;
 *  - without them, a journal records, before each write, how to undo it; a failed group is
 *    undone in reverse order, and a group left open by a crash is undone at the next start.
 *    Isolation is weaker on this path: other requests can see a group's writes before it ends.
 * On both paths, creates wait in the group's PendingCreates and go out in bulk (see
 * pending-creates.ts), and exclusive claims taken inside the group are held until it ends, since
 * its writes are not final (or not even visible) before that.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ClientSession, Collection, Db, MongoClient } from 'mongodb';
import type { ContainedDoc } from './contained';
import type { CurrentDoc } from './documents';
import { CONTAINED_COLLECTION, HISTORY_COLLECTION } from './documents';
import { PendingCreates } from './pending-creates';

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
  /** The container's contained-resource entries before the write (contained.ts), put back with `before`. */
  containedBefore?: ContainedDoc[];
  /** Whether the write adds contained-resource entries, which the undo removes. */
  writesContained?: boolean;
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
  creates: PendingCreates;
  /** Claims held by the group, by key, with how to release each. */
  claims: Map<string, () => Promise<void>>;
}

export interface AtomicOptions {
  /** Multi-document transactions available (checked at each group: detected after construction). */
  transactions: () => boolean;
  /** A journal open longer than this belongs to a dead process (transactions are short). */
  abandonedAfterMs: number;
  /** Sends what the group still holds back (its pending creates), before it commits. */
  beforeEnd: (context: AtomicContext) => Promise<void>;
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

  readonly abandonedAfterMs: number;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly options: AtomicOptions,
  ) {
    this.journal = db.collection<JournalDoc>(JOURNAL_COLLECTION);
    this.abandonedAfterMs = options.abandonedAfterMs;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (storage.getStore()) return fn(); // already inside a group
    const context: AtomicContext = { creates: new PendingCreates(), claims: new Map() };
    try {
      return this.options.transactions() ? await this.inTransaction(context, fn) : await this.withJournal(context, fn);
    } finally {
      await Promise.all([...context.claims.values()].map((release) => release().catch(() => undefined)));
    }
  }

  /** Runs the group's work with `context` active, then sends what it still holds. */
  private work<T>(context: AtomicContext, fn: () => Promise<T>): Promise<T> {
    return storage.run(context, async () => {
      const result = await fn();
      await this.options.beforeEnd(context);
      return result;
    });
  }

  private async inTransaction<T>(context: AtomicContext, fn: () => Promise<T>): Promise<T> {
    const session = this.client.startSession();
    try {
      session.startTransaction({ readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } });
      const result = await this.work({ ...context, session }, fn);
      await session.commitTransaction();
      return result;
    } catch (err) {
      if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
      throw err;
    } finally {
      await session.endSession();
    }
  }

  private async withJournal<T>(context: AtomicContext, fn: () => Promise<T>): Promise<T> {
    const journal = { id: randomUUID(), steps: [] as UndoStep[] };
    await this.journal.insertOne({ _id: journal.id, state: 'open', at: new Date(), steps: [] });
    try {
      const result = await this.work({ ...context, journal }, fn);
      await this.journal.deleteOne({ _id: journal.id });
      return result;
    } catch (err) {
      await this.undo(journal.steps);
      await this.journal.deleteOne({ _id: journal.id });
      throw err;
    }
  }

  /** Records undo steps durably (one round trip) before the writes they undo. */
  async record(...steps: UndoStep[]): Promise<void> {
    const journal = storage.getStore()?.journal;
    if (!journal || steps.length === 0) return;
    journal.steps.push(...steps);
    // `at` doubles as a heartbeat: a long transaction that keeps writing is not taken for dead.
    // ($push is fine here: this path only runs on engines without transactions, which all have it.)
    await this.journal.updateOne({ _id: journal.id }, { $push: { steps: { $each: steps } }, $set: { at: new Date() } });
  }

  /** Drops the steps of writes that did not happen (they failed or their precondition did not hold). */
  async forget(...steps: UndoStep[]): Promise<void> {
    const journal = storage.getStore()?.journal;
    if (!journal) return;
    const known = steps.filter((step) => journal.steps.includes(step));
    if (known.length === 0) return;
    journal.steps = journal.steps.filter((step) => !known.includes(step));
    // One $pull per (type, version): forgetting several steps happens for a failed bulk insert.
    const groups = new Map<string, { type: string; vid: number; ids: string[] }>();
    for (const step of known) {
      const key = `${step.type}/${step.vid}`;
      const group = groups.get(key) ?? { type: step.type, vid: step.vid, ids: [] };
      group.ids.push(step.id);
      groups.set(key, group);
    }
    for (const { type, vid, ids } of groups.values()) {
      await this.journal.updateOne({ _id: journal.id }, { $pull: { steps: { type: { $eq: type }, vid: { $eq: vid }, id: { $in: ids } } } });
    }
  }

  private async undo(steps: UndoStep[]): Promise<void> {
    for (const step of [...steps].reverse()) {
      const current = this.db.collection<CurrentDoc>(step.type);
      const mine = { _id: step.id, vid: step.vid };
      const undone = step.before
        ? (await current.replaceOne(mine, step.before)).matchedCount
        : (await current.deleteOne(mine)).deletedCount;
      if (undone !== 1) continue;
      await this.db.collection<{ _id: string }>(HISTORY_COLLECTION).deleteOne({ _id: step.historyKey });
      if (step.writesContained || step.containedBefore?.length) {
        const index = this.db.collection<ContainedDoc>(CONTAINED_COLLECTION);
        await index.deleteMany({ c: `${step.type}/${step.id}` });
        if (step.containedBefore?.length) await index.insertMany(step.containedBefore);
      }
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
