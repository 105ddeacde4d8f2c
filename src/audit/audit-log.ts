/**
 * Writes AuditEvents off the request path: records are buffered and stored in batches every
 * `flushMs` (AUDIT_FLUSH_MS, 100 ms by default), each batch as one insert plus one for its
 * history, so a request pays for building its record, not for storing it. Each event is first written to the
 * journal (Redis, audit-journal.ts) in the turn of its request, so a crash loses nothing the
 * journal holds: the next start stores what it finds there. A batch that fails is retried, and
 * close() waits for everything buffered.
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/outcomes';
import { newId } from '../platform/ids';
import type { Logger } from '../platform/logger';
import type { AuditRecord } from './audit-event';
import { toAuditEvent } from './audit-event';
import type { AuditJournal } from './audit-journal';

const MAX_BATCH = 500;
const RETRY_MS = 1000;
const JOURNAL_WARNING_MS = 60_000;

/**
 * Stores a batch of AuditEvents under their ids (ResourceService.createTrusted), each with its
 * JSON; reports each one's outcome, in order.
 */
export type AuditWriter = (events: ReadonlyArray<{ event: AuditEvent & { id: string }; json: string }>) => Promise<ReadonlyArray<PromiseSettledResult<unknown>>>;

/** An event with its JSON, made once for the journal and the store. */
interface Recorded {
  event: AuditEvent & { id: string };
  json: string;
}

const recorded = (event: AuditEvent & { id: string }): Recorded => ({ event, json: JSON.stringify(event) });

/** Stored already, by an earlier attempt or another process replaying the journal. */
const alreadyStored = (err: unknown) => err instanceof FhirError && err.status === 412;

export class AuditLog {
  private buffer: Recorded[] = [];
  private unjournaled: Recorded[] = [];
  private journaling: Promise<void> = Promise.resolve();
  private turn: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private journalWarned = 0;

  constructor(
    private readonly write: AuditWriter,
    private readonly log: Logger,
    private readonly journal?: AuditJournal,
    private readonly flushMs = 100,
  ) {}

  /** Stores what an earlier process left in the journal (at start). */
  async recover(): Promise<number> {
    const pending = await this.journal?.pending().catch((err: unknown) => this.journalFailed(err, []));
    if (!pending?.length) return 0;
    for (const event of pending) if (typeof event.id === 'string') this.buffer.push(recorded(event as AuditEvent & { id: string }));
    await this.flush();
    return pending.length;
  }

  /**
   * Buffers the event of one interaction; resolves once the journal holds it (at once without a
   * journal), so the dispatcher can answer the client only after the event is safe.
   */
  record(record: AuditRecord): Promise<void> {
    // resourceType and id first, as bodies are stored, so the store can keep this very JSON.
    const { resourceType, ...rest } = toAuditEvent(record);
    const event = recorded({ resourceType, id: newId(), ...rest });
    this.buffer.push(event);
    if (this.buffer.length >= MAX_BATCH) void this.flush();
    else this.schedule(this.flushMs);
    if (!this.journal) return Promise.resolve();
    this.unjournaled.push(event);
    // One journal write per event-loop turn, for every event of that turn.
    this.turn ??= new Promise<void>((resolve) => setImmediate(() => this.journalTurn().then(resolve)));
    return this.turn;
  }

  private journalTurn(): Promise<void> {
    const events = this.unjournaled;
    this.unjournaled = [];
    this.turn = undefined;
    // Chained, so awaiting `journaling` waits for every earlier turn's write too.
    this.journaling = this.journaling.then(() => this.journal!.append(events.map(({ event, json }) => ({ id: event.id, json })))).catch((err: unknown) => this.journalFailed(err, undefined));
    return this.journaling;
  }

  private journalFailed<T>(err: unknown, fallback: T): T {
    if (Date.now() - this.journalWarned > JOURNAL_WARNING_MS) {
      this.journalWarned = Date.now();
      this.log.warn({ err: { message: (err as Error).message } }, 'the audit journal (Redis) is unavailable: AuditEvents are held in memory only until stored');
    }
    return fallback;
  }

  private schedule(ms: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  /** Stores everything buffered so far, a batch at a time (a failed batch is left for the retry). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    let failed = false;
    while (this.buffer.length > 0 && !failed) {
      const batch = this.buffer.splice(0, MAX_BATCH);
      this.flushing = this.store(batch)
        .catch((err: unknown) => {
          failed = true;
          if (this.closed) throw err;
        })
        .finally(() => (this.flushing = undefined));
      await this.flushing;
    }
  }

  private async store(batch: Recorded[]): Promise<void> {
    // Journal first: an event leaves the journal only once it is in the database.
    await this.journaling;
    const results = await this.write(batch);
    const isStored = (i: number) => results[i]!.status === 'fulfilled' || alreadyStored((results[i] as PromiseRejectedResult).reason);
    const stored = batch.filter((_, i) => isStored(i));
    await this.journal?.remove(stored.map((e) => e.event.id)).catch((err: unknown) => this.journalFailed(err, undefined));
    const failed = batch.filter((_, i) => !isStored(i));
    if (failed.length === 0) return;
    const reason = (results.find((_, i) => !isStored(i)) as PromiseRejectedResult).reason as Error;
    this.log.error({ failed: failed.length, err: reason?.message }, 'storing AuditEvents failed; retrying');
    // Put them back in front; the next attempt comes after a pause (the database may be down).
    this.buffer.unshift(...failed);
    if (!this.closed) this.schedule(RETRY_MS);
    throw reason;
  }

  /** Flushes and stops; throws if what was buffered could not be stored. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closed = true;
    if (this.unjournaled.length > 0) await this.journalTurn();
    await this.flush();
  }
}
