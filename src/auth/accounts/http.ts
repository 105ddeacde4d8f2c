/**
 * HTTP plumbing shared by /auth and /admin/users: small JSON and form bodies, OAuth-shaped errors
 * (`{"error", "error_description"}`, RFC 6749 §5.2) for every failure including malformed input,
 * no caching of answers that carry tokens, and bearer authentication of the caller.
 */
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessTokens } from '../access-tokens';
import { InvalidTokenError } from '../access-tokens';
import type { AuthContext } from '../auth-context';
import { InvalidRefreshToken } from '../refresh-tokens';
import { AccountError } from './account-input';
import { SignInRefused } from './types';

/** Largest accepted body of an account request. */
export const ACCOUNT_BODY_LIMIT = '8kb';

export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

export const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);

/** JSON (`application/json`) and form (`application/x-www-form-urlencoded`) bodies, size-limited. */
export function accountBodies(): RequestHandler[] {
  return [
    express.json({ limit: ACCOUNT_BODY_LIMIT, type: ['application/json', 'application/*+json'] }),
    express.urlencoded({ limit: ACCOUNT_BODY_LIMIT, extended: false, parameterLimit: 20 }),
  ];
}

/** The request body as a plain object of fields; 400 for anything else, or for fields not in `allowed`. */
export function bodyOf(req: Request, allowed: readonly string[]): Record<string, unknown> {
  const body: unknown = req.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest('send a JSON object (application/json) or a form (application/x-www-form-urlencoded)');
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw invalidRequest(`unexpected field ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}`);
  return body as Record<string, unknown>;
}

/** A text field: undefined when absent, 400 when of another type. */
export function textField(body: Record<string, unknown>, name: string, options: { required?: boolean; max?: number } = {}): string | undefined {
  const value = body[name];
  if (value === undefined || value === '') {
    if (options.required) throw invalidRequest(`${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw invalidRequest(`${name} must be a string`);
  if (value.length > (options.max ?? 1024)) throw invalidRequest(`${name} is too long`);
  return value;
}

/** A single query parameter: undefined when absent, 400 when repeated or too long. */
export function queryParam(req: Request, name: string, max = 300): string | undefined {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) throw invalidRequest(`${name} must be given once, as a short text`);
  return value;
}

/** Answers carrying tokens or account data must not be cached (RFC 6749 §5.1). */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  next();
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The verified caller of a request with `Authorization: Bearer …`; 401 with a challenge otherwise. */
export function bearerAuth(tokens: AccessTokens, req: Request): AuthContext {
  const header = req.headers.authorization;
  if (header === undefined) throw new OAuthError(401, 'invalid_token', 'an access token is required', { 'WWW-Authenticate': 'Bearer realm="baobab"' });
  const match = BEARER.exec(header);
  if (!match) throw new OAuthError(401, 'invalid_request', 'the Authorization header is not a Bearer token', { 'WWW-Authenticate': 'Bearer realm="baobab", error="invalid_request"' });
  try {
    return tokens.verify(match[1]!);
  } catch (err) {
    if (!(err instanceof InvalidTokenError)) throw err;
    throw new OAuthError(401, 'invalid_token', err.message, { 'WWW-Authenticate': `Bearer realm="baobab", error="invalid_token", error_description="${err.message}"` });
  }
}

/** An express handler from an async function: its errors go to the error handler. */
export function handle(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}

/** Maps every error of the account routers to an OAuth-shaped JSON answer; only unexpected ones are 500 (and logged). */
export function accountErrors() {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const send = (status: number, error: string, description: string, headers: Record<string, string> = {}) => {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      res.status(status).json({ error, error_description: description });
    };
    if (err instanceof OAuthError) return send(err.status, err.error, err.message, err.headers);
    if (err instanceof AccountError) {
      const status = { invalid: 400, conflict: 409, 'invalid-token': 400, 'not-found': 404 }[err.kind];
      return send(status, err.kind === 'invalid-token' ? 'invalid_token' : err.kind === 'conflict' ? 'conflict' : 'invalid_request', err.message);
    }
    if (err instanceof SignInRefused) {
      if (err.reason === 'locked' || err.reason === 'rate-limited') {
        return send(429, 'invalid_grant', err.message, err.retryAfterSeconds ? { 'Retry-After': String(err.retryAfterSeconds) } : {});
      }
      return send(400, 'invalid_grant', err.message);
    }
    if (err instanceof InvalidRefreshToken) return send(400, 'invalid_grant', err.message);
    // body-parser: malformed JSON (400), too large (413), unsupported charset or encoding (415).
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (err as { type?: unknown }).type;
      const description =
        type === 'entity.parse.failed' ? 'the body is not valid JSON' : type === 'entity.too.large' ? `the body is larger than ${ACCOUNT_BODY_LIMIT}` : 'the request body cannot be read';
      return send(status, 'invalid_request', description);
    }
    const log = res.locals.log as { error(obj: object, msg: string): void } | undefined;
    log?.error({ err }, 'account request failed');
    send(500, 'server_error', 'the request could not be completed');
  };
}
