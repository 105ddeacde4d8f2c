/**
 * Keeps the stored search indexes in step with the search parameter definitions. Each type's
 * parameters (R4, `profiles/`, stored custom SearchParameters) hash to a fingerprint, recorded in
 * the database once that type's resources are indexed with them. At start, a type whose
 * fingerprint changed (an upgrade added or changed a parameter or the index format, or a custom
 * SearchParameter was stored without a `$reindex`) and that holds resources is reindexed in the
 * background by `$reindex`'s job, with its Task; an empty type is just recorded. A type or system
 * `$reindex` records the fingerprints of what it reindexed when it completes. Processes starting
 * together check one at a time, and leave alone types another live job is already reindexing
 * (its Task still in progress and updated lately: it saves the Task after every page).
 *
 * Not covered: the index of contained resources follows their own type's parameters, so a change
 * to, say, Observation's parameters leaves the contained Observations of other types as they were
 * until those types are reindexed.
 */
import { createHash } from 'node:crypto';
import type { Task } from '@medplum/fhirtypes';
import type { Logger } from '../../platform/logger';
import { FhirError } from '../outcomes';
import type { ResourceService } from '../resource-service';
import type { SearchRegistry } from './registry';
import type { ReindexJob } from './reindex';
import { startReindex } from './reindex';

/**
 * Bump when extraction changes what it stores for the same definitions (normalisation, sort
 * keys, a new entry kind): every type with resources is then reindexed at the next start.
 */
export const INDEX_FORMAT = 1;

export interface StoredFingerprint {
  /** What the type's resources are indexed with (absent until its first reindex completes). */
  fingerprint?: string;
  /** A job reindexing the type towards `fingerprint`, reporting on Task `task`. */
  pending?: { fingerprint: string; task: string };
}

export interface IndexFingerprintStore {
  all(): Promise<Map<string, StoredFingerprint>>;
  /** Records fingerprints as applied (clearing what was pending). */
  save(entries: ReadonlyMap<string, string>): Promise<void>;
  markPending(entries: ReadonlyMap<string, string>, task: string): Promise<void>;
}

/** A job whose Task has not moved for this long is taken for dead. */
const STALLED_MS = 5 * 60_000;

/**
 * What a type's stored index depends on: each parameter's code, type, expression, targets and
 * components, as defined (a parameter shared by several types changes all their fingerprints).
 */
export function indexFingerprint(registry: SearchRegistry, type: string): string {
  const params = [...registry.definitionsFor(type)]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, sp]) => [code, sp.type, sp.expression ?? '', [...(sp.target ?? [])].sort(), (sp.component ?? []).map((c) => [c.definition, c.expression])]);
  return createHash('sha256').update(JSON.stringify([INDEX_FORMAT, params])).digest('base64url').slice(0, 22);
}

export interface StaleIndexes {
  /** Types whose fingerprint changed and that hold resources: being reindexed. */
  reindexing: string[];
  /** The job doing it, when there is one. */
  task?: Task & { id: string };
}

export class IndexMaintenance {
  private readonly stopping = new AbortController();
  private readonly jobs = new Set<Promise<void>>();

  constructor(
    private readonly registry: SearchRegistry,
    private readonly service: ResourceService,
    private readonly fingerprints: IndexFingerprintStore,
    private readonly types: readonly string[],
    private readonly log: Logger,
  ) {}

  /** At start: records the fingerprints of empty types and starts reindexing the stale ones that hold resources. */
  async reindexStale(): Promise<StaleIndexes> {
    try {
      return await this.service.exclusive('index-maintenance', () => this.checkAll());
    } catch (err) {
      // Another process held the check for long: it is doing the same; starting matters more.
      if (!(err instanceof FhirError && err.status === 409)) throw err;
      this.log.warn('another process is checking the search indexes; this one leaves it to it');
      return { reindexing: [] };
    }
  }

  private async checkAll(): Promise<StaleIndexes> {
    const stored = await this.fingerprints.all();
    const changed = new Map<string, string>();
    const alive = new Map<string, Promise<boolean>>();
    for (const type of this.types) {
      const fingerprint = indexFingerprint(this.registry, type);
      const entry = stored.get(type);
      if (entry?.fingerprint === fingerprint) continue;
      const pending = entry?.pending;
      if (pending?.fingerprint === fingerprint) {
        if (!alive.has(pending.task)) alive.set(pending.task, this.jobAlive(pending.task));
        if (await alive.get(pending.task)) continue;
      }
      changed.set(type, fingerprint);
    }
    const held = await Promise.all([...changed.keys()].map((type) => this.holdsResources(type)));
    const empty = new Map<string, string>();
    const reindexing: string[] = [];
    [...changed].forEach(([type, fingerprint], i) => (held[i] ? reindexing.push(type) : empty.set(type, fingerprint)));
    await this.fingerprints.save(empty);
    if (reindexing.length === 0) return { reindexing };
    const { task } = await this.start(reindexing, this.log);
    this.log.warn({ types: reindexing, task: task.id }, 'the search definitions of these types changed since their resources were indexed: reindexing them in the background');
    return { reindexing, task };
  }

  /** Starts a `$reindex` job over `types`; their fingerprints are recorded when it completes. */
  async start(types: readonly string[], log: Logger): Promise<ReindexJob> {
    // Taken now: a definition changed while the job runs must not be recorded as applied.
    const fingerprints = new Map(types.map((type) => [type, indexFingerprint(this.registry, type)]));
    const job = await startReindex(this.service, types, log, { signal: this.stopping.signal, completed: () => this.fingerprints.save(fingerprints) });
    await this.fingerprints.markPending(fingerprints, job.task.id);
    this.jobs.add(job.done);
    void job.done.then(() => this.jobs.delete(job.done));
    return job;
  }

  /** Stops running jobs between pages and waits for them (their Tasks end `failed`). */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.jobs);
  }

  /** Whether the job reporting on Task `id` still runs somewhere. */
  private async jobAlive(id: string): Promise<boolean> {
    const version = await this.service.read('Task', id).catch(() => undefined);
    const task = version?.resource as Task | undefined;
    const updated = Date.parse(task?.meta?.lastUpdated ?? '');
    return task?.status === 'in-progress' && Date.now() - updated < STALLED_MS;
  }

  private async holdsResources(type: string): Promise<boolean> {
    const page = await this.service.search(type, { criteria: [], sort: [], count: 1, total: false });
    return page.versions.length > 0;
  }
}
