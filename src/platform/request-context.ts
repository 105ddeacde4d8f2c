/** Request id (taken from X-Request-Id when sane, else generated) and a child logger per request. */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from './logger';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;
/** Query parameters that carry secrets (emailed single-use links) never reach the log. */
const SECRET_PARAMS = /([?&](?:token|access_token|refresh_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    res.locals.requestId = requestId;
    res.locals.log = log;
    res.setHeader('X-Request-Id', requestId);
    // One access-log line per request at info level (skipped entirely when info is off).
    if (log.isLevelEnabled('info')) {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
        log.info({ method: req.method, url: redactUrl(req.originalUrl.slice(0, 500)), status: res.statusCode, ms }, 'request');
      });
    }
    next();
  };
}
