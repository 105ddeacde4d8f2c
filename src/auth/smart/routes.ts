/**
 * The HTTP side of the SMART authorization server:
 *   /.well-known/smart-configuration, /.well-known/jwks.json      (also under the FHIR base)
 *   /oauth2/authorize (GET, POST), /oauth2/consent (the form), /oauth2/token, /oauth2/revoke,
 *   /oauth2/introspect, /oauth2/launch (EHR launch contexts, staff)
 *   /admin/clients (client registration, admin)
 */
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { Logger } from '../../platform/logger';
import { isValidId } from '../../platform/ids';
import { adminFromBearer, staffFromBearer } from './bearer';
import { singleValues } from './authorization-requests';
import type { FlowResult } from './authorization-flow';
import { describeClient } from './clients';
import { consentPage, errorPage } from './consent-page';
import { LAUNCH_TTL_SECONDS } from './launch-contexts';
import { OAuthError } from './oauth-errors';
import type { SmartServer } from './smart-server';
import { smartConfiguration } from './well-known';

const COOKIE = 'baobab_authz';

/** Public metadata: cacheable, readable by browser apps of any origin. */
export function wellKnownRouter(smart: SmartServer): Router {
  const router = express.Router();
  const document = smartConfiguration(smart.endpoints);
  router.get('/smart-configuration', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.json(document);
  });
  router.get('/jwks.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.json(smart.auth.tokens.jwks);
  });
  return router;
}

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

function sendOAuthError(res: Response, err: OAuthError): void {
  noStore(res);
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  res.status(err.status).json(err.body);
}

/** Runs an async JSON handler: OAuthError → its JSON answer, anything else → logged 500 `server_error`. */
function jsonHandler(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (err instanceof OAuthError) return sendOAuthError(res, err);
      (res.locals.log as Logger | undefined)?.error({ err }, 'SMART endpoint failed');
      sendOAuthError(res, new OAuthError('server_error', `internal error (request id ${res.locals.requestId ?? ''})`, 500));
    });
  };
}

/** Form values of a token-style request; a name given twice is invalid_request (RFC 6749 §3.1). */
function formParams(req: Request): Record<string, string> {
  const { params, repeated } = singleValues(req.body);
  if (repeated.length > 0) throw new OAuthError('invalid_request', `parameters given more than once: ${repeated.slice(0, 5).join(', ')}`);
  return params;
}

function pageHeaders(res: Response): void {
  noStore(res);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function oauth2Router(smart: SmartServer, options: { rateLimit?: RequestHandler } = {}): Router {
  const router = express.Router();
  const secure = smart.endpoints.root.startsWith('https:');
  const cookiePath = `${new URL(smart.endpoints.authorize).pathname.replace(/\/authorize$/, '')}`;
  if (options.rateLimit) router.use(options.rateLimit);
  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 }));

  const send = (req: Request, res: Response, result: FlowResult, redirectStatus: number) => {
    if (result.type === 'redirect') {
      noStore(res);
      res.redirect(redirectStatus, result.location);
      return;
    }
    pageHeaders(res);
    if (result.type === 'error-page') {
      res.status(result.status);
      if (req.accepts(['html', 'json']) === 'json') res.json(result.error.body);
      else res.type('html').send(errorPage(result.error.error, result.error.description));
      return;
    }
    if (result.browserToken) {
      res.setHeader('Set-Cookie', `${COOKIE}=${result.browserToken}; Path=${cookiePath}; Max-Age=600; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
    }
    res.status(result.status).type('html').send(consentPage(result.model));
  };
  const page = (run: (req: Request) => Promise<FlowResult>, redirectStatus: number): RequestHandler => (req, res) => {
    run(req).then(
      (result) => send(req, res, result, redirectStatus),
      (err: unknown) => {
        (res.locals.log as Logger | undefined)?.error({ err }, 'SMART authorization failed');
        send(req, res, { type: 'error-page', status: 500, error: new OAuthError('server_error', `internal error (request id ${res.locals.requestId ?? ''})`) }, redirectStatus);
      },
    );
  };

  router.get('/authorize', page((req) => smart.flow.start(req.query), 302));
  router.post('/authorize', page((req) => smart.flow.start(req.body), 303));
  router.post('/consent', page((req) => smart.flow.decide(req.body, cookieValue(req, COOKIE), req.ip ?? req.socket.remoteAddress ?? 'unknown'), 303));

  router.post('/token', jsonHandler(async (req, res) => {
    const body = await smart.tokenEndpoint.exchange(req.headers.authorization, formParams(req));
    noStore(res);
    res.json(body);
  }));
  router.post('/revoke', jsonHandler(async (req, res) => {
    await smart.introspection.revoke(req.headers.authorization, formParams(req));
    noStore(res);
    res.status(200).end();
  }));
  router.post('/introspect', jsonHandler(async (req, res) => {
    const body = await smart.introspection.introspect(req.headers.authorization, formParams(req));
    noStore(res);
    res.json(body);
  }));
  router.post('/launch', express.json({ limit: '16kb' }), jsonHandler(async (req, res) => {
    const staff = staffFromBearer(smart.auth.tokens, req.headers.authorization);
    const params = formParams(req);
    for (const [name, type] of [['patient', 'Patient'], ['encounter', 'Encounter']] as const) {
      const id = params[name];
      if (id === undefined) continue;
      if (!isValidId(id) || !(await smart.resourceExists(type, id))) throw new OAuthError('invalid_request', `${name}: there is no ${type} with id "${id.slice(0, 64)}"`);
    }
    if (params.client_id !== undefined && !(await smart.clients.find(params.client_id))) throw new OAuthError('invalid_request', 'client_id: unknown client');
    const launch = await smart.launches.create({
      createdBy: staff.subject,
      ...(params.patient ? { patient: params.patient } : {}),
      ...(params.encounter ? { encounter: params.encounter } : {}),
      ...(params.client_id ? { clientId: params.client_id } : {}),
    });
    noStore(res);
    res.status(201).json({ launch: launch.id, iss: smart.endpoints.issuer, expires_in: LAUNCH_TTL_SECONDS });
  }));

  // Unreadable or oversized bodies: an OAuth error, not the FHIR OperationOutcome of the app's last handler.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    sendOAuthError(res, new OAuthError('invalid_request', status === 413 ? 'the request body is too large' : 'the request body cannot be read', status === 413 ? 413 : 400));
  });
  return router;
}

export function adminClientsRouter(smart: SmartServer): Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));
  router.post('/', jsonHandler(async (req, res) => {
    const admin = adminFromBearer(smart.auth.tokens, req.headers.authorization);
    const { client, secret } = await smart.clients.register(req.body, admin.subject);
    noStore(res);
    res.setHeader('Location', `${smart.endpoints.root}/admin/clients/${encodeURIComponent(client.clientId)}`);
    res.status(201).json({ ...describeClient(client), ...(secret ? { client_secret: secret } : {}) });
  }));
  router.get('/', jsonHandler(async (req, res) => {
    adminFromBearer(smart.auth.tokens, req.headers.authorization);
    noStore(res);
    res.json({ clients: (await smart.clients.list()).map(describeClient) });
  }));
  router.get('/:id', jsonHandler(async (req, res) => {
    adminFromBearer(smart.auth.tokens, req.headers.authorization);
    const client = await smart.clients.find(String(req.params.id));
    if (!client) throw new OAuthError('not_found', 'no client with this client_id', 404);
    noStore(res);
    res.json(describeClient(client));
  }));
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
    sendOAuthError(res, new OAuthError('invalid_client_metadata', status === 413 ? 'the request body is too large' : 'the body must be JSON', status === 413 ? 413 : 400));
  });
  return router;
}
