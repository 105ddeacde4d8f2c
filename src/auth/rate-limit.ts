/**
 * A fixed-window rate limit per client IP, counted in Redis so every server process shares it:
 * the first request of a window starts the count and its expiry (one atomic script), and past
 * `limit` requests the caller gets 429 with `Retry-After` until the window ends. Used on /auth/*
 * and /oauth2/*. While Redis is unreachable requests pass (logged): sign-in lockout, kept in the
 * database, still bounds password guessing.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';

export interface RateLimitOptions {
  /** Key prefix, e.g. `${config.redisPrefix}ratelimit:auth:`; the client key follows. */
  prefix: string;
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
  /** What is limited; the client IP by default. */
  key?: (req: Request) => string;
  /** The 429 answer; an OAuth-style JSON error by default. */
  refuse?: (req: Request, res: Response, retryAfterSeconds: number) => void;
  /** Told when Redis fails (the request is then let through). */
  onError?: (err: unknown, req: Request) => void;
}

const COUNT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

function defaultRefuse(_req: Request, res: Response, retryAfterSeconds: number): void {
  res.status(429).json({ error: 'too_many_requests', error_description: `Too many requests: try again in ${retryAfterSeconds} s` });
}

export function rateLimit(redis: Redis, options: RateLimitOptions): RequestHandler {
  const windowMs = options.windowSeconds * 1000;
  const keyOf = options.key ?? ((req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown');
  const refuse = options.refuse ?? defaultRefuse;
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = `${options.prefix}${keyOf(req)}`;
    (redis.eval(COUNT, 1, key, windowMs) as Promise<[number, number]>).then(
      ([count, ttl]) => {
        const retryAfter = Math.max(1, Math.ceil(ttl / 1000));
        res.setHeader('RateLimit-Limit', String(options.limit));
        res.setHeader('RateLimit-Remaining', String(Math.max(0, options.limit - count)));
        res.setHeader('RateLimit-Reset', String(retryAfter));
        if (count <= options.limit) return next();
        res.setHeader('Retry-After', String(retryAfter));
        refuse(req, res, retryAfter);
      },
      (err: unknown) => {
        options.onError?.(err, req);
        next();
      },
    );
  };
}
