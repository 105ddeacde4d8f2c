/**
 * The public registry on the web (issue 7): /registry (search form and results), /registry/verify/
 * :licenseNumber (the badge page), /registry/widget.js (the embeddable badge) and its stylesheet.
 * No authentication; rate limited per client IP with the same count as the public operations.
 * Pages set their own Content-Security-Policy: the registry's stylesheet, no scripts at all.
 */
import { readFileSync } from 'node:fs';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { FhirContext } from '../../fhir/interactions/context';
import { FhirError } from '../../fhir/outcomes';
import type { RegistrySearchInput } from '../../domain/licensing/public/registry-query';
import { searchRegistry } from '../../domain/licensing/public/registry-search';
import { verifyLicense } from '../../domain/licensing/public/verify-license';
import type { Logger } from '../../platform/logger';
import { PAGE_CSP, html, page } from './html';
import { renderSearchPage } from './search-page';
import { renderVerifyPage } from './verify-page';

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
const MAX_SHOWN_NUMBER = 100;

function first(value: unknown): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' && one.trim() !== '' ? one.trim() : undefined;
}

function sendPage(res: Response, status: number, body: string): void {
  res.status(status).setHeader('Content-Security-Policy', PAGE_CSP);
  res.type('html').setHeader('Cache-Control', 'no-store');
  res.send(body);
}

/** The 429 of the pages: HTML for a person (Retry-After is already set by the limiter). */
export function refuseAsPage(req: Request, res: Response, retryAfterSeconds: number): void {
  if (req.path.endsWith('.js') || req.path.endsWith('.css')) {
    res.status(429).type('text/plain').send(`Too many requests: try again in ${retryAfterSeconds} s`);
    return;
  }
  sendPage(res, 429, page('Too many requests', html`<h1>Too many requests</h1><p>Please try again in ${retryAfterSeconds} seconds.</p>`));
}

function searchInput(query: Request['query']): RegistrySearchInput {
  return {
    name: first(query.name),
    licenseNumber: first(query['license-number']),
    professionalType: first(query['professional-type']),
    specialization: first(query.specialization),
    state: first(query.state),
    status: first(query.status),
  };
}

/** Page size asked in the query (`count`), within the operation's bounds; undefined for the default. */
function countOf(query: Request['query']): number | undefined {
  const raw = first(query.count);
  return raw && /^\d{1,3}$/.test(raw) ? Math.max(1, Number(raw)) : undefined;
}

function queryString(input: RegistrySearchInput, count: number | undefined, pagePosition?: string): string {
  const entries: Array<[string, string | undefined]> = [
    ['name', input.name],
    ['license-number', input.licenseNumber],
    ['professional-type', input.professionalType],
    ['specialization', input.specialization],
    ['state', input.state],
    ['status', input.status],
    ['count', count === undefined ? undefined : String(count)],
    ['page', pagePosition],
  ];
  return new URLSearchParams(entries.filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

export function registryPages(ctx: FhirContext, limit: RequestHandler, log: Logger): Router {
  const router = express.Router();
  const widget = asset('widget.js');
  const css = asset('registry.css');
  // The public address of this server (the FHIR base's origin), for the widget snippet.
  const origin = new URL(ctx.config.baseUrl).origin;
  router.use(limit);

  router.get('/widget.js', (_req, res) => {
    res.type('application/javascript; charset=utf-8').setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.send(widget);
  });
  router.get('/registry.css', (_req, res) => {
    res.type('text/css; charset=utf-8').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(css);
  });

  router.get('/', (req, res, next) => {
    const input = searchInput(req.query);
    const pagePosition = first(req.query.page);
    const count = countOf(req.query);
    // The form sends every field, empty ones too: any query means a search (empty lists everyone).
    const searched = Object.keys(req.query).length > 0;
    if (!searched) return sendPage(res, 200, renderSearchPage({ input }));
    searchRegistry(ctx, input, { page: pagePosition, count }).then(
      (result) =>
        sendPage(res, 200, renderSearchPage({ input, result, firstQuery: queryString(input, count), ...(result.next ? { nextQuery: queryString(input, count, result.next) } : {}) })),
      (err: unknown) => {
        if (!(err instanceof FhirError) || err.status >= 500) return next(err);
        const message = err.outcome.issue?.[0]?.diagnostics ?? 'This search cannot be made';
        sendPage(res, err.status, renderSearchPage({ input, error: message }));
      },
    );
  });

  router.get('/verify/:licenseNumber', (req, res, next) => {
    const number = String(req.params.licenseNumber ?? '');
    verifyLicense(ctx, number).then((found) => sendPage(res, found ? 200 : 404, renderVerifyPage(number.slice(0, MAX_SHOWN_NUMBER), found, origin)), next);
  });

  // A malformed request (e.g. bad percent-encoding in the path) is the client's; anything else a
  // plain page, never a stack trace.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendPage(res, 400, page('Bad request', html`<h1>Bad request</h1><p>This address cannot be read. <a href="/registry">Search the register</a>.</p>`));
    }
    log.error({ err }, 'registry page failed');
    sendPage(res, 500, page('Registry unavailable', html`<h1>The register is unavailable</h1><p>Please try again later.</p>`));
  });
  return router;
}
