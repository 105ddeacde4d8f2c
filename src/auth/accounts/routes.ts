/**
 * `/auth`: self-registration, email verification, first-party sign-in, refresh, sign-out and
 * passwords. Every route is rate limited per client IP (shared through Redis), bodies are small
 * JSON or forms, answers are never cached and errors have the OAuth shape.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger';
import type { AccessTokens } from '../access-tokens';
import { rateLimit } from '../rate-limit';
import type { AccountService } from './account-service';
import { FirstPartySessions } from './first-party';
import type { Config } from '../../config/config';
import type { RefreshTokens } from '../refresh-tokens';
import { accountBodies, accountErrors, bearerAuth, bodyOf, handle, invalidRequest, noStore, OAuthError, queryParam, textField } from './http';

export interface AccountRouteDeps {
  accounts: AccountService;
  auth: { tokens: AccessTokens; refreshTokens: RefreshTokens };
  /** Rate limit counters. */
  redis: Redis;
  config: Pick<Config, 'redisPrefix' | 'authRateLimitPerMinute'>;
  logger: Logger;
}

/** The one answer to a registration or a resend, whatever the address. */
const ACCEPTED = { status: 'accepted', message: 'If the address can be used, an email with a link is on its way.' };

/** Lets a browser opened on the invitation link choose the password (no script, posts a form). */
function setPasswordPage(token: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Choose your password</title></head><body>
<h1>Choose your password</h1>
<form method="post" action="set-password">
<input type="hidden" name="token" value="${token}">
<label>Password (at least 10 characters, mixing letters, digits or other characters) <input type="password" name="password" minlength="10" maxlength="256" required autocomplete="new-password"></label>
<button type="submit">Save</button>
</form></body></html>`;
}

export function accountRoutes(deps: AccountRouteDeps): Router {
  const { accounts } = deps;
  const tokens = deps.auth.tokens;
  const sessions = new FirstPartySessions(accounts, tokens, deps.auth.refreshTokens);
  const router = Router();
  let lastRateLimitWarning = 0;
  router.use(
    noStore,
    rateLimit(deps.redis, {
      prefix: `${deps.config.redisPrefix}ratelimit:auth:`,
      limit: deps.config.authRateLimitPerMinute,
      windowSeconds: 60,
      onError: (err) => {
        if (Date.now() - lastRateLimitWarning < 60_000) return;
        lastRateLimitWarning = Date.now();
        deps.logger.warn({ err: { message: (err as Error).message } }, 'rate limit unavailable (Redis): requests are let through');
      },
    }),
    ...accountBodies(),
  );

  router.post(
    '/register',
    handle(async (req, res) => {
      const body = bodyOf(req, ['email', 'password', 'name', 'role', 'fhirUser', 'accountType']);
      if (body.role !== undefined || body.fhirUser !== undefined) {
        throw invalidRequest('role and fhirUser cannot be chosen at registration: accounts registered here are patients, or license applicants with "accountType": "applicant"');
      }
      await accounts.register({ email: body.email, password: body.password, name: body.name, accountType: body.accountType });
      res.status(202).json(ACCEPTED);
    }),
  );

  router.get(
    '/verify-email',
    handle(async (req, res) => {
      const token = queryParam(req, 'token');
      if (token === undefined) throw invalidRequest('token is required');
      await accounts.verifyEmail(token);
      res.json({ status: 'verified', message: 'Your email address is confirmed and your account is active: you can sign in.' });
    }),
  );

  router.post(
    '/resend-verification',
    handle(async (req, res) => {
      const body = bodyOf(req, ['email']);
      await accounts.resendVerification(textField(body, 'email', { required: true, max: 300 }));
      res.status(202).json(ACCEPTED);
    }),
  );

  router.post(
    '/login',
    handle(async (req, res) => {
      const body = bodyOf(req, ['email', 'username', 'password', 'grant_type']);
      const grantType = textField(body, 'grant_type');
      if (grantType !== undefined && grantType !== 'password') throw new OAuthError(400, 'unsupported_grant_type', 'this endpoint takes grant_type=password');
      const email = textField(body, 'email', { max: 300 }) ?? textField(body, 'username', { max: 300 });
      const password = textField(body, 'password');
      if (email === undefined || password === undefined) throw invalidRequest('email and password are required');
      const account = await accounts.checkPassword(email, password, clientIp(req));
      res.json(await sessions.signIn(account));
    }),
  );

  router.post(
    '/refresh',
    handle(async (req, res) => {
      const body = bodyOf(req, ['refresh_token', 'grant_type']);
      const grantType = textField(body, 'grant_type');
      if (grantType !== undefined && grantType !== 'refresh_token') throw new OAuthError(400, 'unsupported_grant_type', 'this endpoint takes grant_type=refresh_token');
      res.json(await sessions.refresh(textField(body, 'refresh_token', { required: true, max: 200 })!));
    }),
  );

  router.post(
    '/logout',
    handle(async (req, res) => {
      const auth = bearerAuth(tokens, req);
      const body = req.body === undefined ? {} : bodyOf(req, ['refresh_token']);
      await sessions.signOut(auth, textField(body, 'refresh_token', { max: 200 }));
      res.status(204).end();
    }),
  );

  router.get('/set-password', (req: Request, res: Response) => {
    const token = typeof req.query.token === 'string' && /^[A-Za-z0-9_-]{20,100}$/.test(req.query.token) ? req.query.token : undefined;
    if (!token) {
      res.status(400).json({ error: 'invalid_request', error_description: 'the link is incomplete: open the link from the email' });
      return;
    }
    res.setHeader('Content-Security-Policy', "default-src 'none'; form-action 'self'; frame-ancestors 'none'");
    res.type('html').send(setPasswordPage(token));
  });

  router.post(
    '/set-password',
    handle(async (req, res) => {
      const body = bodyOf(req, ['token', 'password']);
      await accounts.setPassword(textField(body, 'token', { required: true, max: 200 }), textField(body, 'password', { required: true }));
      res.json({ status: 'password-set', message: 'Your password is saved: you can sign in.' });
    }),
  );

  router.post(
    '/change-password',
    handle(async (req, res) => {
      const auth = bearerAuth(tokens, req);
      if (auth.kind !== 'user') throw invalidRequest('only people have passwords');
      const body = bodyOf(req, ['password', 'new_password']);
      await accounts.changePassword(auth.subject, textField(body, 'password', { required: true }), textField(body, 'new_password', { required: true }));
      res.status(204).end();
    }),
  );

  router.use(accountErrors());
  return router;
}

function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
