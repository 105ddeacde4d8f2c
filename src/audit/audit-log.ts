/**
 * Writes AuditEvents off the request path: records are buffered and stored in batches every few
 * milliseconds (the store coalesces the concurrent creates of a batch into bulk inserts), so a
 * request pays for building its record, not for storing it. A batch that fails is retried, and
 * close() waits for everything buffered, so a clean shutdown loses nothing; a crash can lose at
 * most the last FLUSH_MS (100 ms) of events (documented in ARCHITECTURE.md).
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import { asSystem } from '../auth/request-access';
import type { Logger } from '../platform/logger';
import type { AuditRecord } from './audit-event';
import { toAuditEvent } from './audit-event';

export const FLUSH_MS = 100;
const MAX_BATCH = 500;
const RETRY_MS = 1000;

/** Where AuditEvents go (ResourceService.create, as the server itself). */
export type AuditWriter = (event: AuditEvent) => Promise<unknown>;

export class AuditLog {
  private buffer: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly write: AuditWriter,
    private readonly log: Logger,
  ) {}

  record(record: AuditRecord): void {
    this.buffer.push(toAuditEvent(record));
    if (this.buffer.length >= MAX_BATCH) void this.flush();
    else this.schedule(FLUSH_MS);
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

  private async store(batch: AuditEvent[]): Promise<void> {
    const results = await asSystem(() => Promise.allSettled(batch.map((event) => this.write(event))));
    const failed = batch.filter((_, i) => results[i]!.status === 'rejected');
    if (failed.length === 0) return;
    const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Error;
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
    await this.flush();
  }
}
