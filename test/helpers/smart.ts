/**
 * SMART test kit: the real app listening on a local port (fhirclient and JWKS fetching need real
 * HTTP), with its base URL set to that port; accounts made through the account service; a
 * "browser" that signs in at the consent page and follows the form like a user would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config/config';
import type { Role } from '../../src/auth/auth-context';
import { FIRST_PARTY_CLIENT_ID } from '../../src/auth/accounts/first-party';
import type { TestServer } from './server';
import { startTestServer } from './server';

export interface SmartTestServer extends TestServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The FHIR base URL (`aud`, `iss`). */
  fhirBase: string;
  tokenUrl: string;
  adminToken: string;
}

export async function startSmartServer(overrides: Partial<Config> = {}): Promise<SmartTestServer> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const server = await startTestServer({ authEnabled: true, baseUrl: `${origin}/fhir`, authRateLimitPerMinute: 100_000, ...overrides });
  http.on('request', server.app);
  const adminToken = firstPartyToken(server, 'test-admin', 'admin');
  return {
    ...server,
    origin,
    fhirBase: `${origin}/fhir`,
    tokenUrl: `${origin}/oauth2/token`,
    adminToken,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await server.close();
    },
  };
}

export const PASSWORD = 'Correct-horse-7';

/** A token of the server's own sign-in (what POST /auth/login gives), for the management endpoints. */
export function firstPartyToken(server: TestServer, subject: string, role: Role): string {
  return server.container.auth.tokens.issue({ subject, kind: 'user', role, clientId: FIRST_PARTY_CLIENT_ID, scope: 'user/*.cruds' }).accessToken;
}

/** An active account with PASSWORD; patients and clinicians get a FHIR record of their own first. */
export async function makeAccount(server: TestServer, email: string, role: Role, fhirUser?: string): Promise<{ id: string; email: string; fhirUser?: string }> {
  let reference = fhirUser;
  if (reference === undefined && role !== 'admin' && role !== 'clerk' && role !== 'registry-admin') {
    const type = role === 'patient' ? 'Patient' : 'Practitioner';
    const created = await server.container.fhir.service.create(type, { resourceType: type, name: [{ family: email.split('@')[0] }] });
    reference = `${type}/${created.id}`;
  }
  const account = await server.container.accounts.createByAdmin({ email, role, password: PASSWORD, ...(reference ? { fhirUser: reference } : {}) });
  return { id: account.id, email, ...(reference ? { fhirUser: reference } : {}) };
}

export async function makePatient(server: TestServer, family = 'Okafor'): Promise<string> {
  return (await server.container.fhir.service.create('Patient', { resourceType: 'Patient', name: [{ family }] })).id;
}

/** Registers a client as an admin; the response body (with client_secret when there is one). */
export async function registerClient(server: SmartTestServer, body: Record<string, unknown>): Promise<Record<string, unknown> & { client_id: string; client_secret?: string }> {
  const res = await server.request.post('/admin/clients').set('Authorization', `Bearer ${server.adminToken}`).send(body);
  if (res.status !== 201) throw new Error(`client registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const decodeEntities = (text: string) => text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));

export interface PageAnswer {
  status: number;
  /** Set on redirects. */
  location?: string;
  body: string;
  headers: Headers;
}

export interface SignIn {
  email?: string;
  password?: string;
  /** Staff picking a patient in a standalone launch. */
  patient?: string;
  /** Only these of the offered scopes are ticked (all by default). */
  scopes?: (offered: string[]) => string[];
  decision?: 'approve' | 'deny';
  /** Send the form without the browser cookie. */
  dropCookie?: boolean;
}

async function page(url: string, init: RequestInit = {}): Promise<PageAnswer> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location') ?? undefined, body: await res.text(), headers: res.headers };
}

/** The consent form of a page: its hidden handle and offered scopes. */
export function formOf(html: string): { request: string; scopes: string[] } {
  const request = /name="request" value="([^"]*)"/.exec(html)?.[1];
  if (!request) throw new Error(`no consent form in: ${html.slice(0, 500)}`);
  const scopes = [...html.matchAll(/name="scope" value="([^"]*)"/g)].map((m) => decodeEntities(m[1]!));
  return { request: decodeEntities(request), scopes };
}

/**
 * Opens `authorizeUrl` like a browser and answers the form: the final answer is a redirect to
 * the app (code or error) or a page (error page, or the form again with a message).
 */
export async function authorizeInBrowser(authorizeUrl: string, signIn: SignIn = {}): Promise<PageAnswer & { firstPage?: PageAnswer }> {
  const first = await page(authorizeUrl);
  if (first.status !== 200) return first;
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  const form = formOf(first.body);
  const origin = new URL(authorizeUrl).origin;
  const body = new URLSearchParams({ request: form.request, decision: signIn.decision ?? 'approve', email: signIn.email ?? '', password: signIn.password ?? PASSWORD });
  for (const scope of signIn.scopes ? signIn.scopes(form.scopes) : form.scopes) body.append('scope', scope);
  if (signIn.patient !== undefined) body.set('patient', signIn.patient);
  const answer = await page(`${origin}/oauth2/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signIn.dropCookie ? {} : { cookie }) },
    body: body.toString(),
  });
  return { ...answer, firstPage: first };
}

export function authorizeUrl(server: SmartTestServer, params: Record<string, string | undefined>): string {
  const url = new URL(`${server.origin}/oauth2/authorize`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

/** The query of a redirect to the app. */
export function redirectParams(location: string | undefined): Record<string, string> {
  if (!location) throw new Error('no redirect');
  return Object.fromEntries(new URL(location).searchParams);
}

export async function tokenRequest(server: SmartTestServer, form: Record<string, string>, authorization?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(server.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}
