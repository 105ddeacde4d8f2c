/**
 * Mounts the public registry on the app (called from src/app.ts, before the FHIR router): the
 * /registry pages and the HTTP layer of the three public operations, under one rate limit per
 * client IP (config.registryPublicRateLimitPerMinute, counted in Redis across processes).
 */
import type express from 'express';
import type { Container } from '../../container';
import { rateLimit } from '../../auth/rate-limit';
import type { RateLimitOptions } from '../../auth/rate-limit';
import { publicRegistryOperations, refuseAsFhir } from './public-access';
import { refuseAsPage, registryPages } from './routes';

export function mountPublicRegistry(app: express.Express, container: Container): void {
  const { config, logger, redis } = container;
  const options: RateLimitOptions = {
    prefix: `${config.redisPrefix}ratelimit:registry:`,
    limit: config.registryPublicRateLimitPerMinute,
    windowSeconds: 60,
    onError: (err) => logger.warn({ err: { message: (err as Error).message } }, 'rate limit unavailable (Redis): request let through'),
  };
  app.use('/fhir', publicRegistryOperations(rateLimit(redis, { ...options, refuse: refuseAsFhir })));
  app.use('/registry', registryPages(container.fhir, rateLimit(redis, { ...options, refuse: refuseAsPage }), logger));
}
