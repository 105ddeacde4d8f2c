/**
 * AuditEvents between the request and the database: each one is written to Redis (a hash, one
 * field per event id) within the event-loop turn of its request, and removed once stored in
 * MongoDB. A process that dies with events still buffered leaves them there; the next process to
 * start stores them (creates by id, so an event stored twice is stored once). With Redis down the
 * events are only in memory, as before (logged).
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Redis } from 'ioredis';

/** An event as journaled: its id and its JSON. */
export interface JournalEntry {
  id: string;
  json: string;
}

export interface AuditJournal {
  append(entries: readonly JournalEntry[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  /** Events journaled and not yet removed (of any process). */
  pending(): Promise<AuditEvent[]>;
}

export class RedisAuditJournal implements AuditJournal {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async append(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.hset(this.key, Object.fromEntries(entries.map((e) => [e.id, e.json])));
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.hdel(this.key, ...ids);
  }

  async pending(): Promise<AuditEvent[]> {
    const entries = await this.redis.hgetall(this.key);
    return Object.values(entries).flatMap((json) => {
      try {
        return [JSON.parse(json) as AuditEvent];
      } catch {
        return [];
      }
    });
  }
}
