/**
 * Redis connections (REDIS_URL, keys under REDIS_PREFIX): the shared one for commands (rate
 * limits) fails fast while Redis is away instead of queueing, so a request never waits on it.
 */
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../platform/logger';

/** Logs connection errors at most once a minute per connection (ioredis retries on its own). */
function quietErrors(redis: Redis, logger: Logger, name: string): Redis {
  let lastLogged = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - lastLogged < 60_000) return;
    lastLogged = Date.now();
    logger.warn({ err: { message: err.message }, connection: name }, 'Redis connection error');
  });
  return redis;
}

export function redisConnection(url: string, logger: Logger, name: string, options: RedisOptions = {}): Redis {
  return quietErrors(new Redis(url, { lazyConnect: true, ...options }), logger, name);
}

/** The command connection; resolves `reachable: false` (and keeps retrying in the background) when Redis does not answer at start. */
export async function connectRedis(url: string, logger: Logger): Promise<{ redis: Redis; reachable: boolean }> {
  const redis = redisConnection(url, logger, 'commands', { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  try {
    await redis.connect();
    return { redis, reachable: true };
  } catch (err) {
    logger.warn({ err: { message: (err as Error).message } }, 'Redis is not reachable at REDIS_URL: rate limits are off and emails are sent in-process (not durable) until it is');
    return { redis, reachable: false };
  }
}

/** Deletes every key under `prefix` (tests, tools). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
