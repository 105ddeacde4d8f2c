/**
 * `/admin/users`: admins create staff and patient accounts directly (with a password or an
 * invitation email) linked to an existing FHIR identity, and find accounts. Always needs an
 * admin's bearer token, also when AUTH_ENABLED is off; the token must come from Baobab's own
 * sign-in (`baobab-first-party`), so a third-party SMART app an admin signed in to cannot manage
 * accounts with it. Password hashes never leave the service.
 */
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { AccessTokens } from '../access-tokens';
import type { AuthContext, Role } from '../auth-context';
import { ROLES, isRole } from '../auth-context';
import type { AccountService } from './account-service';
import { AccountError, normalizeEmail } from './account-input';
import { FIRST_PARTY_CLIENT_ID } from './first-party';
import { accountBodies, accountErrors, bearerAuth, bodyOf, handle, invalidRequest, noStore, OAuthError, queryParam, textField } from './http';

const MAX_LIST = 100;

/** 401 without a valid token, 403 unless it is an admin's first-party token; the caller in `res.locals.admin`. */
export function requireAdmin(tokens: AccessTokens) {
  return (req: Request, res: Response, next: NextFunction): void => {
    let auth: AuthContext;
    try {
      auth = bearerAuth(tokens, req);
    } catch (err) {
      return next(err);
    }
    if (auth.kind !== 'user' || auth.role !== 'admin') return next(new OAuthError(403, 'forbidden', 'only administrators may do this'));
    if (auth.clientId !== FIRST_PARTY_CLIENT_ID) return next(new OAuthError(403, 'forbidden', 'administration needs a token from /auth/login, not from a third-party app'));
    res.locals.admin = auth;
    next();
  };
}

export function adminUserRoutes(deps: { accounts: AccountService; tokens: AccessTokens }): Router {
  const { accounts } = deps;
  const router = Router();
  router.use(noStore, requireAdmin(deps.tokens), ...accountBodies());

  router.post(
    '/',
    handle(async (req, res) => {
      const body = bodyOf(req, ['email', 'password', 'invite', 'role', 'fhirUser', 'name']);
      const role = textField(body, 'role', { required: true, max: 40 })!;
      if (!isRole(role)) throw new AccountError(`role must be one of ${ROLES.join(', ')}`, 'invalid');
      const invite = body.invite === true || body.invite === 'true' ? true : body.invite === undefined || body.invite === false || body.invite === 'false' ? false : undefined;
      if (invite === undefined) throw invalidRequest('invite must be true or false');
      const fhirUser = textField(body, 'fhirUser', { max: 200 });
      const name = textField(body, 'name', { max: 200 });
      const password = textField(body, 'password', { max: 1024 });
      const created = await accounts.createByAdmin({
        email: textField(body, 'email', { required: true, max: 300 })!,
        role,
        invite,
        ...(password !== undefined ? { password } : {}),
        ...(fhirUser !== undefined ? { fhirUser } : {}),
        ...(name !== undefined ? { name } : {}),
      });
      const admin = res.locals.admin as AuthContext;
      res.locals.log?.info({ adminId: admin.subject, accountId: created.id }, 'admin created an account');
      res.status(201).location(`${req.baseUrl}/${created.id}`).json(created);
    }),
  );

  router.get(
    '/',
    handle(async (req, res) => {
      const email = queryParam(req, 'email');
      const role = queryParam(req, 'role', 40);
      const count = queryParam(req, '_count', 4);
      if (role !== undefined && !isRole(role)) throw invalidRequest('role is not a role');
      const limit = count === undefined ? MAX_LIST : Number(count);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw invalidRequest(`_count must be 1 to ${MAX_LIST}`);
      const filter: { email?: string; role?: Role } = {};
      if (email !== undefined) filter.email = normalizeEmail(email);
      if (role !== undefined) filter.role = role;
      res.json({ users: await accounts.list(filter, limit) });
    }),
  );

  router.get(
    '/:id',
    handle(async (req, res) => {
      const account = await accounts.findById(String(req.params.id));
      if (!account) throw new OAuthError(404, 'not_found', 'no such account');
      res.json(account);
    }),
  );

  router.use(accountErrors());
  return router;
}
