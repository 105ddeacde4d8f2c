/**
 * The express side of the FHIR endpoint: raw body reading with size limits,
 * FhirRequest construction, and response writing (content type, _pretty, errors).
 */
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { FhirContext } from '../interactions/context';
import { FhirError, issue, operationOutcome } from '../outcomes';
import { dispatch } from './dispatch';
import { responseFormat } from './negotiate';
import type { FhirRequest, FhirResponse, Query } from './types';
import { ANONYMOUS_ACCESS } from '../../auth/access';
import { first, queryFrom } from './types';
import type { Logger } from '../../platform/logger';

function queryOf(url: string): Query {
  const index = url.indexOf('?');
  return queryFrom(index < 0 ? [] : new URLSearchParams(url.slice(index + 1)));
}

function segmentsOf(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

export function toFhirRequest(req: Request): FhirRequest {
  return {
    method: req.method,
    segments: segmentsOf(req.path),
    query: queryOf(req.originalUrl),
    headers: req.headers as Record<string, string | undefined>,
    body: Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined,
    requestId: req.res?.locals.requestId ?? '',
    log: req.res?.locals.log ?? undefined,
    // Set by auth/authenticate.ts; a request that somehow skipped it gets no more than anonymous.
    access: req.res?.locals.access ?? ANONYMOUS_ACCESS,
    clientIp: req.ip,
  };
}

export function sendFhir(res: Response, fhirReq: FhirRequest | undefined, response: FhirResponse): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (response.raw) {
    res.setHeader('Content-Type', response.raw.contentType);
    res.end(response.raw.data);
    return;
  }
  if (response.status === 304 || (!response.text && !response.resource)) {
    res.end();
    return;
  }
  let flavour = 'application/fhir+json';
  let pretty = false;
  if (fhirReq) {
    try {
      flavour = responseFormat(fhirReq);
    } catch {
      // Errors about the format itself are still answered in FHIR JSON.
    }
    pretty = first(fhirReq.query, '_pretty') === 'true';
  }
  res.setHeader('Content-Type', `${flavour}; charset=utf-8`);
  if (pretty) res.end(JSON.stringify(response.resource, null, 2));
  else res.end(response.text?.() ?? JSON.stringify(response.resource));
}

export function errorResponse(err: unknown, log: Logger | undefined, requestId: string): FhirResponse {
  if (err instanceof FhirError) return { status: err.status, headers: err.headers, resource: err.outcome };
  const httpError = err as { status?: number; type?: string; message?: string };
  if (httpError.type === 'entity.too.large') {
    return { status: 413, resource: operationOutcome([issue('too-long', 'The request body is larger than this server accepts')]) };
  }
  if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500) {
    const text = httpError.type === 'encoding.unsupported' ? 'Unsupported content encoding' : 'The request could not be read';
    return { status: httpError.status === 415 ? 415 : 400, resource: operationOutcome([issue('invalid', text)]) };
  }
  log?.error({ err, requestId }, 'unhandled error');
  return {
    status: 500,
    resource: operationOutcome([issue('exception', `Internal server error (request id ${requestId})`)]),
  };
}

export function fhirRouter(ctx: FhirContext): Router {
  const router = express.Router();
  const { maxBodyBytes, maxBinaryBytes } = ctx.config;
  const anyType = () => true;
  // Binary takes raw uploads, and as FHIR JSON its base64 data is a third larger.
  const binaryBody = express.raw({ type: anyType, limit: Math.ceil(maxBinaryBytes * 1.4) + 4096 });
  const jsonBody = express.raw({ type: anyType, limit: maxBodyBytes });
  router.use((req: Request, res: Response, next: NextFunction) =>
    (req.path.startsWith('/Binary') ? binaryBody : jsonBody)(req, res, next),
  );
  router.use((req: Request, res: Response, next: NextFunction) => {
    const fhirReq = toFhirRequest(req);
    if (fhirReq.body && fhirReq.segments[0] === 'Binary' && fhirReq.headers['content-type'] && !/json/i.test(fhirReq.headers['content-type'])) {
      if (fhirReq.body.length > maxBinaryBytes) {
        sendFhir(res, fhirReq, errorResponse(new FhirError([issue('too-long', 'The Binary content is larger than this server accepts')], 413), fhirReq.log, fhirReq.requestId));
        return;
      }
    }
    dispatch(ctx, fhirReq).then(
      (response) => sendFhir(res, fhirReq, response),
      (err: unknown) => sendFhir(res, fhirReq, errorResponse(err, fhirReq.log, fhirReq.requestId)),
    ).catch(next);
  });
  return router;
}
