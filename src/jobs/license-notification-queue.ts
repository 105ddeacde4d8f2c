/**
 * The license notice queue: each status change or renewal reminder of a registry license is a
 * BullMQ job (durable, retried with backoff) whose worker writes the in-app Communication and
 * queues the email (domain/licensing/lifecycle/deliver.ts). The job id is the notice key, so a
 * notice queued twice while pending runs once. Without Redis at start, an in-process queue with
 * the same interface runs them (retried, lost if the process stops), as the email queue does.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { LicenseNotice } from '../domain/licensing/lifecycle/messages';
import type { Notifier } from '../domain/licensing/lifecycle/services';
import type { Logger } from '../platform/logger';
import { redisConnection } from './redis';

export const LICENSE_NOTICE_QUEUE = 'license-notice';
const ATTEMPTS = 5;
const BACKOFF_MS = 5_000;

export interface LicenseNoticeQueue extends Notifier {
  close(): Promise<void>;
}

export interface LicenseNoticeQueueOptions {
  redisUrl: string;
  redisPrefix: string;
  redisReachable: boolean;
  logger: Logger;
  deliver(notice: LicenseNotice): Promise<void>;
}

/** BullMQ job ids may not contain ':' (it separates key parts). */
const jobId = (key: string) => key.replace(/:/g, '_');

class BullLicenseNoticeQueue implements LicenseNoticeQueue {
  constructor(
    private readonly queue: Queue<LicenseNotice>,
    private readonly worker: Worker<LicenseNotice>,
    private readonly connections: Redis[],
  ) {}

  async notify(notice: LicenseNotice): Promise<void> {
    await this.queue.add('notice', notice, { jobId: jobId(notice.key) });
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }
}

class InProcessLicenseNoticeQueue implements LicenseNoticeQueue {
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: LicenseNoticeQueueOptions) {}

  async notify(notice: LicenseNotice): Promise<void> {
    const running = this.run(notice).finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  private async run(notice: LicenseNotice): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS && !this.closed; attempt++) {
      try {
        await this.options.deliver(notice);
        return;
      } catch (err) {
        this.options.logger.warn({ attempt, err: { message: (err as Error).message } }, 'delivering a license notice failed');
        await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS * 2 ** (attempt - 1)).unref());
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }
}

export async function startLicenseNoticeQueue(options: LicenseNoticeQueueOptions): Promise<LicenseNoticeQueue> {
  if (!options.redisReachable) return new InProcessLicenseNoticeQueue(options);
  const { logger } = options;
  const prefix = `${options.redisPrefix}bull`;
  const queueConnection = redisConnection(options.redisUrl, logger, 'license-notice-queue', { maxRetriesPerRequest: null, enableOfflineQueue: false });
  const workerConnection = redisConnection(options.redisUrl, logger, 'license-notice-worker', { maxRetriesPerRequest: null });
  await queueConnection.connect();
  const queue = new Queue<LicenseNotice>(LICENSE_NOTICE_QUEUE, {
    connection: queueConnection,
    prefix,
    defaultJobOptions: { attempts: ATTEMPTS, backoff: { type: 'exponential', delay: BACKOFF_MS }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 7 * 86_400 } },
  });
  const worker = new Worker<LicenseNotice>(LICENSE_NOTICE_QUEUE, (job) => options.deliver(job.data), { connection: workerConnection, prefix, concurrency: 4 });
  worker.on('error', (err) => logger.warn({ err: { message: err.message } }, 'license notice worker error'));
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: { message: err.message } }, 'delivering a license notice failed'));
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  return new BullLicenseNoticeQueue(queue, worker, [queueConnection, workerConnection]);
}
