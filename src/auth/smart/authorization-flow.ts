/**
 * The browser side of the authorization code flow, express-free: `start` checks the request
 * and shows the sign-in and consent form; `decide` handles its submission (deny, or sign in,
 * settle the launch context and redirect with a code).
 *
 * The form is CSRF-safe: it carries a random handle naming the pending request (stored hashed,
 * single use, ten minutes), and the browser that got the form holds a random cookie whose hash
 * the pending request keeps; a submission needs both.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Account, CredentialChecker } from '../accounts/types';
import { SignInRefused } from '../accounts/types';
import { isValidId } from '../../platform/ids';
import type { AuthorizationCodes } from './authorization-codes';
import type { AuthorizationRequest, PendingAuthorizationStore } from './authorization-requests';
import { PENDING_TTL_SECONDS, checkAuthorizationRequest, redirectWith, singleValues } from './authorization-requests';
import type { ClientRegistry } from './clients';
import type { ConsentPageModel } from './consent-page';
import { userScopes } from './grants';
import type { LaunchContexts } from './launch-contexts';
import { OAuthError } from './oauth-errors';

export type FlowResult =
  | { type: 'error-page'; status: number; error: OAuthError }
  | { type: 'redirect'; location: string }
  | { type: 'consent'; status: number; model: ConsentPageModel; browserToken?: string };

export interface AuthorizationFlowDeps {
  clients: ClientRegistry;
  launches: LaunchContexts;
  pending: PendingAuthorizationStore;
  codes: AuthorizationCodes;
  accounts: () => CredentialChecker | undefined;
  resourceExists: (type: string, id: string) => Promise<boolean>;
  /** The patient a patient account acts for: its own Patient, or a RelatedPerson's patient. */
  patientOf: (fhirUser: string) => Promise<string | undefined>;
  /** The FHIR base URL apps must name as `aud`. */
  audience: string;
}

const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url');
const errorPage = (status: number, error: OAuthError['error'], description: string): FlowResult => ({ type: 'error-page', status, error: new OAuthError(error, description) });

function modelOf(handle: string, request: AuthorizationRequest): ConsentPageModel {
  return {
    request: handle,
    clientName: request.clientName,
    scopes: request.scopes,
    askPatient: request.launch === undefined && request.scopes.includes('launch/patient'),
    ...(request.launch?.patient ? { launchPatient: request.launch.patient } : {}),
  };
}

export class AuthorizationFlow {
  constructor(private readonly deps: AuthorizationFlowDeps) {}

  async start(source: unknown): Promise<FlowResult> {
    const checked = await checkAuthorizationRequest(source, this.deps);
    if (checked.outcome === 'page') return { type: 'error-page', status: 400, error: checked.error };
    if (checked.outcome === 'redirect') {
      return { type: 'redirect', location: redirectWith(checked.redirectUri, { ...checked.error.body, state: checked.state }) };
    }
    const handle = randomBytes(32).toString('base64url');
    const browserToken = randomBytes(32).toString('base64url');
    await this.deps.pending.insert({
      ...checked.request,
      id: hashOf(handle),
      browserHash: hashOf(browserToken),
      expiresAt: new Date(Date.now() + PENDING_TTL_SECONDS * 1000),
    });
    return { type: 'consent', status: 200, model: modelOf(handle, checked.request), browserToken };
  }

  async decide(form: unknown, browserToken: string | undefined, ip: string): Promise<FlowResult> {
    const { params } = singleValues(form);
    const handle = params.request;
    const pending = handle && handle.length <= 100 ? await this.deps.pending.find(hashOf(handle)) : undefined;
    if (!pending || pending.expiresAt.getTime() <= Date.now()) return errorPage(400, 'invalid_request', 'this authorization request has expired or was already answered: start again from the app');
    if (!browserToken || hashOf(browserToken) !== pending.browserHash) return errorPage(403, 'access_denied', 'this form was not issued to this browser: start again from the app');
    const back = (values: Record<string, string>) => ({ type: 'redirect' as const, location: redirectWith(pending.redirectUri, { ...values, state: pending.state }) });
    const again = (status: number, message: string): FlowResult => ({
      type: 'consent',
      status,
      model: { ...modelOf(handle!, pending), message, ...(params.email ? { email: params.email.slice(0, 200) } : {}) },
    });

    if (params.decision === 'deny') {
      await this.deps.pending.take(pending.id);
      return back(new OAuthError('access_denied', 'the user denied the request').body);
    }
    if (params.decision !== 'approve') return again(400, 'Choose Allow or Deny.');
    const accounts = this.deps.accounts();
    if (!accounts) return errorPage(503, 'server_error', 'sign-in is not available');
    if (!params.email || !params.password) return again(400, 'Enter your email and password.');
    let account: Account;
    try {
      account = await accounts.checkPassword(params.email.slice(0, 320), params.password.slice(0, 1024), ip);
    } catch (err) {
      if (err instanceof SignInRefused) return again(err.reason === 'locked' || err.reason === 'rate-limited' ? 429 : 401, err.message);
      throw err;
    }
    if (pending.launch && pending.launch.createdBy !== account.id) return again(403, 'This launch was started by another user: sign in as that user.');

    const chosen = new Set(scopeValues(form));
    const approved = pending.scopes.filter((scope) => chosen.has(scope));
    let patient: string | undefined;
    let encounter: string | undefined;
    if (pending.launch) {
      if (approved.includes('launch') || approved.includes('launch/patient')) {
        patient = pending.launch.patient;
        encounter = pending.launch.encounter;
      }
    } else if (approved.includes('launch/patient')) {
      if (account.role === 'patient') {
        patient = account.fhirUser ? await this.deps.patientOf(account.fhirUser) : undefined;
      } else {
        const picked = params.patient?.trim();
        if (!picked) return again(400, 'Enter the id of the patient to open.');
        if (!isValidId(picked) || !(await this.deps.resourceExists('Patient', picked))) return again(400, `There is no patient with id "${picked.slice(0, 64)}".`);
        patient = picked;
      }
    }
    const granted = userScopes(approved, { ehrLaunch: pending.launch !== undefined, patient, encounter, hasFhirUser: account.fhirUser !== undefined });
    if (!(await this.deps.pending.take(pending.id))) return errorPage(400, 'invalid_request', 'this authorization request was already answered');
    if (granted.length === 0) return back(new OAuthError('access_denied', 'no scope was approved').body);
    const code = await this.deps.codes.issue({
      clientId: pending.clientId,
      redirectUri: pending.redirectUri,
      ...(pending.codeChallenge ? { codeChallenge: pending.codeChallenge } : {}),
      accountId: account.id,
      scope: granted.join(' '),
      ...(patient ? { patient } : {}),
      ...(encounter ? { encounter } : {}),
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
      ehrLaunch: pending.launch !== undefined,
    });
    return back({ code });
  }
}

/** The ticked scope checkboxes (one or several `scope` fields). */
function scopeValues(form: unknown): string[] {
  const value = (form as Record<string, unknown> | undefined)?.scope;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
