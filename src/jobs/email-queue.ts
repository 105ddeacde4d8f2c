/**
 * The email queue: account emails are jobs on a BullMQ queue in Redis (durable, retried with
 * backoff, shared by every server process), worked by a worker in each process that hands them to
 * the mail transport. Jobs are removed once sent (their text holds single-use links), failed ones
 * after a day. When Redis cannot be reached at start, an in-process queue with the same interface
 * sends them instead (retried, but lost if the process stops).
 */
import { Queue, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger';
import type { Email, MailTransport } from './mail-transport';
import { redisConnection } from './redis';

export interface EmailQueue {
  /** Resolves once the email is queued (not sent). */
  enqueue(email: Email): Promise<void>;
  close(): Promise<void>;
}

export const EMAIL_QUEUE = 'email';
const ATTEMPTS = 5;
const BACKOFF_MS = 10_000;

export interface EmailQueueOptions {
  redisUrl: string;
  /** Every key of the queue starts with it (REDIS_PREFIX). */
  redisPrefix: string;
  from: string;
  transport: MailTransport;
  logger: Logger;
}

export class BullEmailQueue implements EmailQueue {
  private constructor(
    private readonly queue: Queue<Email>,
    private readonly worker: Worker<Email>,
    private readonly connections: Redis[],
    private readonly transport: MailTransport,
  ) {}

  static async start(options: EmailQueueOptions): Promise<BullEmailQueue> {
    const { logger, transport } = options;
    const prefix = `${options.redisPrefix}bull`;
    // BullMQ wants no per-command retry limit; the queue side fails fast instead of waiting offline.
    const queueConnection = redisConnection(options.redisUrl, logger, 'email-queue', { maxRetriesPerRequest: null, enableOfflineQueue: false });
    const workerConnection = redisConnection(options.redisUrl, logger, 'email-worker', { maxRetriesPerRequest: null });
    await queueConnection.connect();
    const queue = new Queue<Email>(EMAIL_QUEUE, {
      connection: queueConnection,
      prefix,
      defaultJobOptions: { attempts: ATTEMPTS, backoff: { type: 'exponential', delay: BACKOFF_MS }, removeOnComplete: true, removeOnFail: { age: 86_400 } },
    });
    const worker = new Worker<Email>(EMAIL_QUEUE, (job: Job<Email>) => transport.send({ ...job.data, from: options.from }), {
      connection: workerConnection,
      prefix,
      concurrency: 4,
    });
    worker.on('error', (err) => logger.warn({ err: { message: err.message } }, 'email worker error'));
    worker.on('failed', (job, err) =>
      logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: { message: err.message } }, 'sending an email failed'),
    );
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    return new BullEmailQueue(queue, worker, [queueConnection, workerConnection], transport);
  }

  async enqueue(email: Email): Promise<void> {
    await this.queue.add('send', email);
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
    for (const connection of this.connections) connection.disconnect();
    this.transport.close?.();
  }
}

/** Without Redis: sends in the background with the same retries, keeping nothing across restarts. */
export class InProcessEmailQueue implements EmailQueue {
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: Pick<EmailQueueOptions, 'from' | 'transport' | 'logger'>) {}

  async enqueue(email: Email): Promise<void> {
    const sending = this.send(email).finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  private async send(email: Email): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS && !this.closed; attempt++) {
      try {
        await this.options.transport.send({ ...email, from: this.options.from });
        return;
      } catch (err) {
        this.options.logger.warn({ attempt, err: { message: (err as Error).message } }, 'sending an email failed');
        await new Promise((resolve) => setTimeout(resolve, Math.min(BACKOFF_MS * 2 ** (attempt - 1), 60_000)).unref());
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // Sends in progress may finish; one waiting for a retry is given up (that is the "not durable").
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    this.options.transport.close?.();
  }
}

/** BullMQ when Redis answered at start, the in-process queue otherwise. */
export async function startEmailQueue(options: EmailQueueOptions & { redisReachable: boolean }): Promise<EmailQueue> {
  if (!options.redisReachable) return new InProcessEmailQueue(options);
  return BullEmailQueue.start(options);
}
