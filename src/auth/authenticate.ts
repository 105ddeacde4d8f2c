/**
 * Bearer tokens (RFC 6750) → the request's Access. A missing token is not refused here: public
 * routes answer without one, and the FHIR dispatcher refuses the rest (unauthorized()). A token
 * that is present but bad is refused at once, with `WWW-Authenticate: Bearer error="invalid_token"`.
 */
import type { NextFunction, Request, Response } from 'express';
import { FhirError, issue } from '../fhir/outcomes';
import type { AccessTokens } from './access-tokens';
import { InvalidTokenError } from './access-tokens';
import { ANONYMOUS_ACCESS, OPEN_ACCESS } from './access';

const REALM = 'baobab';
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function challenge(error?: string, description?: string): string {
  let value = `Bearer realm="${REALM}"`;
  if (error) value += `, error="${error}"`;
  if (description) value += `, error_description="${description.replace(/["\\]/g, '')}"`;
  return value;
}

/** 401 for a request that needs a token and has none. */
export function unauthorized(): FhirError {
  return new FhirError([issue('login', 'Authentication required: send an access token (Authorization: Bearer …)')], 401, { 'WWW-Authenticate': challenge() });
}

function invalidToken(description: string, error = 'invalid_token'): FhirError {
  return new FhirError([issue('login', `Invalid access token: ${description}`)], 401, { 'WWW-Authenticate': challenge(error, description) });
}

/** Sets `res.locals.access`; with `tokens` undefined (authentication off) every request is open. */
export function authenticate(tokens: AccessTokens | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!tokens) {
      res.locals.access = OPEN_ACCESS;
      return next();
    }
    const header = req.headers.authorization;
    if (header === undefined) {
      res.locals.access = ANONYMOUS_ACCESS;
      return next();
    }
    const match = BEARER.exec(header);
    if (!match) return next(invalidToken('the Authorization header is not a Bearer token', 'invalid_request'));
    try {
      res.locals.access = { mode: 'token', auth: tokens.verify(match[1]!) };
      next();
    } catch (err) {
      next(err instanceof InvalidTokenError ? invalidToken(err.message) : err);
    }
  };
}
