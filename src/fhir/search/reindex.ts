/**
 * `$reindex`: extracts the search values of stored resources again, after a SearchParameter was
 * added or changed. One resource is reindexed at once; a type or the whole system runs as a
 * background job whose progress is a Task resource (`GET Task/<id>`): status `in-progress`, then
 * `completed` or `failed`, with `processed` and `total` outputs updated after every page. No new
 * versions are made: only the index stored beside each current version changes. The job runs in
 * this process; if the process stops first, the Task ends `failed` (a clean stop) or stays
 * `in-progress` (a crash), and the next start reindexes what is still stale (index-maintenance.ts).
 */
import type { Resource, Task } from '@medplum/fhirtypes';
import type { Logger } from '../../platform/logger';
import type { ResourceService } from '../resource-service';

const PAGE_SIZE = 500;

function progress(task: Task, processed: number, total: number): Task {
  return {
    ...task,
    output: [
      { type: { text: 'processed' }, valueInteger: processed },
      { type: { text: 'total' }, valueInteger: total },
    ],
  };
}

/** Reindexes one resource now; 404/410 as a read. */
export async function reindexOne(service: ResourceService, type: string, id: string): Promise<number> {
  const version = await service.read(type, id);
  return service.reindex(type, [version]);
}

export interface ReindexOptions {
  /** Stops the job between pages (the server is shutting down). */
  signal?: AbortSignal;
  /** Runs once every resource has been reindexed, before the Task is marked completed. */
  completed?: () => Promise<void>;
}

export interface ReindexJob {
  task: Task & { id: string };
  /** Settles when the job has ended, however it ended (never rejects). */
  done: Promise<void>;
}

/** Starts reindexing `types` in the background; resolves with the Task that reports on it. */
export async function startReindex(service: ResourceService, types: readonly string[], log: Logger, options: ReindexOptions = {}): Promise<ReindexJob> {
  let total = 0;
  for (const type of types) total += (await service.search(type, { criteria: [], sort: [], count: 0, total: true })).total ?? 0;
  const scope = types.length === 1 ? types[0]! : 'all resource types';
  const task: Task = progress(
    {
      resourceType: 'Task',
      status: 'in-progress',
      intent: 'order',
      code: { text: '$reindex' },
      description: `Extract the search values of ${scope} again`,
      authoredOn: new Date().toISOString(),
      executionPeriod: { start: new Date().toISOString() },
      input: [{ type: { text: 'scope' }, valueString: scope }],
    },
    0,
    total,
  );
  const created = (await service.create('Task', task)).resource as Task & { id: string };
  const done = new Promise<void>((resolve) => setImmediate(() => void run(service, types, created, total, log, options).then(resolve)));
  return { task: created, done };
}

async function run(service: ResourceService, types: readonly string[], task: Task & { id: string }, total: number, log: Logger, options: ReindexOptions): Promise<void> {
  let processed = 0;
  let current: Task = task;
  const save = async (next: Task) => {
    const stored = await service.update('Task', task.id, { ...next, meta: undefined } as Resource);
    current = stored.version.resource as Task;
  };
  try {
    for (const type of types) {
      let after: string | undefined;
      do {
        if (options.signal?.aborted) throw new Error('Stopped: the server shut down before the job finished');
        const page = await service.search(type, { criteria: [], sort: [], count: PAGE_SIZE, after, total: false });
        await service.reindex(type, page.versions);
        processed += page.versions.length;
        after = page.next;
        if (page.versions.length > 0) await save(progress(current, processed, Math.max(total, processed)));
      } while (after);
    }
    await options.completed?.();
    await save({ ...progress(current, processed, Math.max(total, processed)), status: 'completed', executionPeriod: { ...current.executionPeriod, end: new Date().toISOString() } });
  } catch (err) {
    if (options.signal?.aborted) log.warn({ task: task.id }, '$reindex stopped with the server');
    else log.error({ err, task: task.id }, '$reindex failed');
    await save({ ...current, status: 'failed', statusReason: { text: (err as Error).message.slice(0, 500) } }).catch(() => undefined);
  }
}
