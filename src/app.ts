/** buildApp: express assembly only (no listen), so tests can drive it with supertest. */
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Container } from './container';
import { errorResponse, fhirRouter, sendFhir } from './fhir/rest/http';
import { errors } from './fhir/outcomes';
import { requestContext } from './platform/request-context';
import { cors, securityHeaders } from './platform/http-hardening';
import { authenticate } from './auth/authenticate';
import { accountRoutes } from './auth/accounts/routes';
import { adminUserRoutes } from './auth/accounts/admin-routes';
import { adminClientsRouter, oauth2Router, wellKnownRouter } from './auth/smart/routes';
import { rateLimit } from './auth/rate-limit';
import { mountPublicRegistry } from './web/registry/mount';

export function buildApp(container: Container): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  if (container.config.trustProxy !== undefined) app.set('trust proxy', container.config.trustProxy);
  app.use(requestContext(container.logger));
  app.use(securityHeaders());
  app.use(cors(container.config.corsOrigins));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    container.store.ping().then(
      () => res.json({ status: 'ready' }),
      (err: unknown) => {
        container.logger.warn({ err }, 'readiness check failed');
        res.status(503).json({ status: 'unavailable', reason: 'store unreachable' });
      },
    );
  });

  // Accounts: their own small JSON/form body parsers, OAuth-shaped errors, rate limited per IP.
  app.use('/auth', accountRoutes({ accounts: container.accounts, auth: container.auth, redis: container.redis, config: container.config, logger: container.logger }));
  app.use('/admin/users', adminUserRoutes({ accounts: container.accounts, tokens: container.auth.tokens }));

  // SMART on FHIR authorization server: discovery (also under the FHIR base, where clients look,
  // so before the FHIR router's token check), the OAuth endpoints (rate limited per IP), client registration.
  app.use('/.well-known', wellKnownRouter(container.smart));
  app.use('/fhir/.well-known', wellKnownRouter(container.smart));
  const oauth2Limit = rateLimit(container.redis, {
    prefix: `${container.config.redisPrefix}ratelimit:oauth2:`,
    limit: container.config.authRateLimitPerMinute,
    windowSeconds: 60,
    onError: (err) => container.logger.warn({ err: { message: (err as Error).message } }, 'rate limit unavailable (Redis): request let through'),
  });
  app.use('/oauth2', oauth2Router(container.smart, { rateLimit: oauth2Limit }));
  app.use('/admin/clients', adminClientsRouter(container.smart));

  // The public registry (issue 7): /registry pages, and rate limit + open CORS for its FHIR operations.
  mountPublicRegistry(app, container);

  app.use('/fhir', authenticate(container.config.authEnabled ? container.auth.tokens : undefined), fhirRouter(container.fhir));

  app.use((req: Request, res: Response) => {
    sendFhir(res, undefined, errorResponse(errors.notFound(`No route for ${req.method} ${req.path.slice(0, 200)}`), undefined, ''));
  });
  // Errors raised before a FHIR handler runs (body too large, aborted upload…).
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendFhir(res, undefined, errorResponse(err, res.locals.log, res.locals.requestId ?? ''));
  });
  return app;
}
