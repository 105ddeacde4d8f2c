/**
 * HTTP concerns of the public registry's operations, ahead of the FHIR router: they are
 * rate limited per client IP (one count shared with the /registry pages) and readable from any
 * origin (`Access-Control-Allow-Origin: *`, so the embeddable widget works on other sites). Only
 * these three paths get that; the rest of the API keeps the CORS allow-list. No credentials are
 * involved: the answers are public views, the same for every caller.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { FhirError, issue } from '../../fhir/outcomes';
import { errorResponse, sendFhir } from '../../fhir/rest/http';
import { PUBLIC_REGISTRY_PATHS } from '../../domain/licensing/public/public-paths';


/** Whether `path` (below /fhir, as express gives it, possibly percent-encoded) is a public registry operation. */
export function isPublicRegistryOperationPath(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  return PUBLIC_REGISTRY_PATHS.has(decoded.split('/').filter(Boolean).join('/'));
}

/** The 429 of the operations: an OperationOutcome (Retry-After is already set by the limiter). */
export function refuseAsFhir(_req: Request, res: Response, retryAfterSeconds: number): void {
  const error = new FhirError([issue('throttled', `Too many requests to the public registry: try again in ${retryAfterSeconds} s`)], 429, { 'Retry-After': String(retryAfterSeconds) });
  sendFhir(res, undefined, errorResponse(error, undefined, String(res.locals.requestId ?? '')));
}

/** Mount on /fhir before the FHIR router; `limit` is the shared public-registry rate limit. */
export function publicRegistryOperations(limit: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isPublicRegistryOperationPath(req.path)) return next();
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Accept, Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    limit(req, res, next);
  };
}
