/** buildApp: express assembly only (no listen), so tests can drive it with supertest. */
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Container } from './container';
import { errorResponse, fhirRouter, sendFhir } from './fhir/rest/http';
import { errors } from './fhir/outcomes';
import { requestContext } from './platform/request-context';
import { authenticate } from './auth/authenticate';

export function buildApp(container: Container): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(requestContext(container.logger));

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
