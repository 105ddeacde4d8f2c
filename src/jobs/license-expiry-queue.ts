/**
 * The daily license run (domain/licensing/lifecycle/expiry.ts) as a BullMQ job scheduler: one
 * repeatable job at 00:01 UTC, shared by every server process (the scheduler id is fixed, so
 * each process upserting it leaves one), worked by whichever worker takes it. The run itself is
 * idempotent, so a retry or a catch-up run after an outage does no harm. Without Redis at start,
 * a timer in this process runs it at the same hour.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger';
import { redisConnection } from './redis';

export const LICENSE_EXPIRY_QUEUE = 'license-expiry';
const SCHEDULER_ID = 'daily-license-expiry';
/**
 * Just after midnight in the registry's calendar (UTC, dates.ts): a license whose last day was
 * yesterday stops being listed as active in public searches a minute into the new day.
 */
const DAILY_AT_UTC = { hour: 0, minute: 1 };

export interface LicenseExpiryJob {
  close(): Promise<void>;
}

export interface LicenseExpiryJobOptions {
  redisUrl: string;
  redisPrefix: string;
  redisReachable: boolean;
  logger: Logger;
  run(now: Date): Promise<unknown>;
}

/** Milliseconds from `now` to the next daily run time (DAILY_AT_UTC). */
export function msUntilNextRun(now: Date): number {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), DAILY_AT_UTC.hour, DAILY_AT_UTC.minute));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - now.getTime();
}

class TimerLicenseExpiryJob implements LicenseExpiryJob {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LicenseExpiryJobOptions) {
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.options.run(new Date()).catch((err: unknown) => this.options.logger.error({ err }, 'license expiry run failed'));
      this.schedule();
    }, msUntilNextRun(new Date())).unref();
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
  }
}

class BullLicenseExpiryJob implements LicenseExpiryJob {
  constructor(
    private readonly queue: Queue,
    private readonly worker: Worker,
    private readonly connections: Redis[],
  ) {}

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
  }
}

export async function startLicenseExpiryJob(options: LicenseExpiryJobOptions): Promise<LicenseExpiryJob> {
  if (!options.redisReachable) return new TimerLicenseExpiryJob(options);
  const { logger } = options;
  const prefix = `${options.redisPrefix}bull`;
  const queueConnection = redisConnection(options.redisUrl, logger, 'license-expiry-queue', { maxRetriesPerRequest: null, enableOfflineQueue: false });
  const workerConnection = redisConnection(options.redisUrl, logger, 'license-expiry-worker', { maxRetriesPerRequest: null });
  await queueConnection.connect();
  const queue = new Queue(LICENSE_EXPIRY_QUEUE, { connection: queueConnection, prefix });
  // Run for the day it runs: missed days need no replay (expiry and reminders catch up).
  const worker = new Worker(LICENSE_EXPIRY_QUEUE, () => options.run(new Date()), { connection: workerConnection, prefix, concurrency: 1 });
  worker.on('error', (err) => logger.warn({ err: { message: err.message } }, 'license expiry worker error'));
  worker.on('failed', (job, err) => logger.error({ jobId: job?.id, err: { message: err.message } }, 'license expiry run failed'));
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: `${DAILY_AT_UTC.minute} ${DAILY_AT_UTC.hour} * * *`, tz: 'UTC' },
    { name: 'run', opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 30 }, removeOnFail: { count: 30 } } },
  );
  return new BullLicenseExpiryJob(queue, worker, [queueConnection, workerConnection]);
}
