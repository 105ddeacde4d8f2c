/**
 * The authorization code flow's refusals: errors shown to the user (never redirected) until the
 * client and redirect URI are known, then sent back to the app with `state`; PKCE, code reuse
 * (revokes what the code produced), redirect_uri and client binding at the token endpoint; the
 * consent form's CSRF binding, escaping and headers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmartTestServer } from '../helpers/smart';
import { authorizeInBrowser, authorizeUrl, formOf, makeAccount, pkce, redirectParams, registerClient, startSmartServer, tokenRequest } from '../helpers/smart';

let server: SmartTestServer;
let clientId: string;
let confidential: { client_id: string; client_secret?: string };
const REDIRECT = 'https://app.example.org/callback';
const SCOPE = 'openid fhirUser launch/patient patient/*.rs offline_access';
const EMAIL = 'tolu@example.org';

beforeAll(async () => {
  server = await startSmartServer();
  clientId = (await registerClient(server, { name: 'Charts <b>&</b> "more"', type: 'public', redirect_uris: [REDIRECT, 'https://app.example.org/other'], scope: SCOPE })).client_id;
  confidential = await registerClient(server, { name: 'Portal', type: 'confidential-symmetric', redirect_uris: [REDIRECT], scope: SCOPE });
  await makeAccount(server, EMAIL, 'patient');
});
afterAll(async () => {
  await server?.close();
});

function request(over: Record<string, string | undefined> = {}) {
  const { verifier, challenge } = pkce();
  const state = randomUUID();
  const params = { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, state, aud: server.fhirBase, code_challenge: challenge, code_challenge_method: 'S256', ...over };
  return { url: authorizeUrl(server, params), verifier, state };
}

async function code(over: Record<string, string | undefined> = {}) {
  const req = request(over);
  const answer = await authorizeInBrowser(req.url, { email: EMAIL });
  expect(answer.status, answer.body).toBe(303);
  const params = redirectParams(answer.location);
  expect(params.state).toBe(req.state);
  return { code: params.code!, verifier: req.verifier };
}

const exchange = (form: Record<string, string>, authorization?: string) => tokenRequest(server, { grant_type: 'authorization_code', client_id: clientId, redirect_uri: REDIRECT, ...form }, authorization);

describe('before the redirect URI is trusted: an error page, never a redirect', () => {
  it('unknown client, missing or unregistered redirect_uri', async () => {
    for (const over of [{ client_id: 'nobody' }, { client_id: undefined }, { redirect_uri: undefined }, { redirect_uri: 'https://evil.example.org/steal' }, { redirect_uri: `${REDIRECT}/` }]) {
      const res = await fetch(request(over).url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain('invalid_request');
    }
    const json = await fetch(request({ client_id: 'nobody' }).url, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'invalid_request', error_description: 'unknown client_id' });
  });

  it('a repeated client_id is not trusted either', async () => {
    const res = await fetch(`${request().url}&client_id=${clientId}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('after it: errors go back to the app with state', () => {
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    ['wrong aud', { aud: 'https://other.example.org/fhir' }, 'invalid_request'],
    ['missing aud', { aud: undefined }, 'invalid_request'],
    ['public client without PKCE', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['malformed challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['response_type token', { response_type: 'token' }, 'unsupported_response_type'],
    ['scope not allowed', { scope: 'user/*.cruds system/*.rs' }, 'invalid_scope'],
    ['no scope', { scope: undefined }, 'invalid_scope'],
    ['unknown launch', { launch: 'nope' }, 'invalid_request'],
  ];
  for (const [label, over, error] of cases) {
    it(label, async () => {
      const req = request(over);
      const res = await fetch(req.url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = res.headers.get('location')!;
      expect(location.startsWith(`${REDIRECT}?`)).toBe(true);
      const params = redirectParams(location);
      expect(params.error).toBe(error);
      expect(params.error_description).toBeTruthy();
      expect(params.state).toBe(req.state);
    });
  }

  it('state is required', async () => {
    const res = await fetch(request({ state: undefined }).url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const params = redirectParams(res.headers.get('location')!);
    expect(params.error).toBe('invalid_request');
    expect(params.state).toBeUndefined();
  });

  it('the user denies: access_denied with state', async () => {
    const req = request();
    const answer = await authorizeInBrowser(req.url, { decision: 'deny' });
    expect(answer.status).toBe(303);
    expect(redirectParams(answer.location)).toMatchObject({ error: 'access_denied', state: req.state });
  });

  it('unticking every scope: access_denied', async () => {
    const req = request();
    const answer = await authorizeInBrowser(req.url, { email: EMAIL, scopes: () => [] });
    expect(redirectParams(answer.location)).toMatchObject({ error: 'access_denied', state: req.state });
  });
});

describe('the consent page', () => {
  it('escapes what it shows, cannot be framed or cached, and binds the form to the browser', async () => {
    const req = request({ scope: `${SCOPE} patient/Observation.rs?category=<x>&code="y"` });
    const page = await fetch(req.url, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
    const html = await page.text();
    expect(html).toContain('Charts &#60;b&#62;&#38;&#60;/b&#62; &#34;more&#34;');
    expect(html).not.toContain('<b>&</b>');
    // A granular scope (covered by the registered patient/*.rs) is offered, escaped.
    expect(formOf(html).scopes.sort()).toEqual([...SCOPE.split(' '), 'patient/Observation.rs?category=<x>&code="y"'].sort());
    expect(html).not.toContain('<x>');

    const noCookie = await authorizeInBrowser(req.url, { email: EMAIL, dropCookie: true });
    expect(noCookie.status).toBe(403);
    expect(noCookie.location).toBeUndefined();
  });

  it('a wrong password shows the form again; the request stays usable', async () => {
    const req = request();
    const bad = await authorizeInBrowser(req.url, { email: EMAIL, password: 'Wrong-password-1' });
    expect(bad.status).toBe(401);
    expect(bad.location).toBeUndefined();
    const form = formOf(bad.body);
    expect(bad.body).toContain('role="alert"');
    // Retry with the same handle and cookie.
    const cookie = (bad.firstPage!.headers.get('set-cookie') ?? '').split(';')[0]!;
    const body = new URLSearchParams({ request: form.request, decision: 'approve', email: EMAIL, password: 'Correct-horse-7' });
    for (const scope of form.scopes) body.append('scope', scope);
    const retry = await fetch(`${server.origin}/oauth2/consent`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(retry.status).toBe(303);
    expect(redirectParams(retry.headers.get('location')!).code).toBeTruthy();
    // Answered: the same form cannot be used again.
    const replay = await fetch(`${server.origin}/oauth2/consent`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(replay.status).toBe(400);
  });

  it('the authorization request may be POSTed (authorize-post)', async () => {
    const req = request();
    const params = new URL(req.url).searchParams;
    const page = await fetch(`${server.origin}/oauth2/authorize`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(formOf(await page.text()).scopes.length).toBeGreaterThan(0);
  });
});

describe('the token endpoint', () => {
  it('checks the PKCE verifier; failed attempts do not burn the code', async () => {
    const { code: c, verifier } = await code();
    const missing = await exchange({ code: c });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_grant');
    const wrong = await exchange({ code: c, code_verifier: pkce().verifier });
    expect(wrong.body.error).toBe('invalid_grant');
    const redirect = await exchange({ code: c, code_verifier: verifier, redirect_uri: 'https://app.example.org/other' });
    expect(redirect.body.error).toBe('invalid_grant');
    const ok = await exchange({ code: c, code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.headers.get('pragma')).toBe('no-cache');
    expect(ok.body).toMatchObject({ token_type: 'Bearer', scope: expect.any(String), access_token: expect.any(String) });
  });

  it('a code used twice fails and revokes the tokens it produced', async () => {
    const { code: c, verifier } = await code();
    const first = await exchange({ code: c, code_verifier: verifier });
    expect(first.status).toBe(200);
    const access = first.body.access_token as string;
    const patient = first.body.patient as string;
    expect((await server.request.get(`/fhir/Patient/${patient}`).set('Authorization', `Bearer ${access}`)).status).toBe(200);

    const second = await exchange({ code: c, code_verifier: verifier });
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    const revoked = await server.request.get(`/fhir/Patient/${patient}`).set('Authorization', `Bearer ${access}`);
    expect(revoked.status).toBe(401);
    const refresh = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('a code is bound to its client', async () => {
    const { code: c, verifier } = await code();
    const other = await exchange({ code: c, code_verifier: verifier }, `Basic ${Buffer.from(`${confidential.client_id}:${confidential.client_secret}`).toString('base64')}`);
    // client_id (public) and Basic (confidential) together do not match.
    expect(other.status).toBe(400);
    const asOther = await tokenRequest(
      server,
      { grant_type: 'authorization_code', code: c, code_verifier: verifier, redirect_uri: REDIRECT },
      `Basic ${Buffer.from(`${confidential.client_id}:${confidential.client_secret}`).toString('base64')}`,
    );
    expect(asOther.body.error).toBe('invalid_grant');
  });

  it('refuses unknown grants, unknown clients and missing parameters with the OAuth error shape', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{}, 400, 'invalid_request'],
      [{ grant_type: 'password', client_id: clientId }, 400, 'unsupported_grant_type'],
      [{ grant_type: 'authorization_code', client_id: 'nobody', code: 'x' }, 401, 'invalid_client'],
      [{ grant_type: 'authorization_code', code: 'x' }, 401, 'invalid_client'],
      [{ grant_type: 'authorization_code', client_id: clientId }, 400, 'invalid_request'],
      [{ grant_type: 'authorization_code', client_id: clientId, code: 'made-up', redirect_uri: REDIRECT }, 400, 'invalid_grant'],
      [{ grant_type: 'client_credentials', client_id: clientId, scope: 'system/*.rs' }, 400, 'unauthorized_client'],
      [{ grant_type: 'refresh_token', refresh_token: 'made-up' }, 400, 'invalid_grant'],
    ];
    for (const [form, status, error] of cases) {
      const res = await tokenRequest(server, form);
      expect({ form, status: res.status, error: res.body.error }).toEqual({ form, status, error });
      expect(typeof res.body.error_description).toBe('string');
    }
    const repeated = await fetch(server.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=authorization_code&code=a&code=b&client_id=${clientId}` });
    expect(repeated.status).toBe(400);
    expect(((await repeated.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('a refresh token is bound to its client and can only narrow scopes', async () => {
    const { code: c, verifier } = await code();
    const tokens = await exchange({ code: c, code_verifier: verifier });
    const refresh = tokens.body.refresh_token as string;
    const basic = `Basic ${Buffer.from(`${confidential.client_id}:${confidential.client_secret}`).toString('base64')}`;
    const stolen = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refresh }, basic);
    expect(stolen.body.error).toBe('invalid_grant');
    const wider = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId, scope: 'patient/*.cruds' });
    expect(wider.body.error).toBe('invalid_scope');
    // The token was not spent by those refusals: narrowing works.
    const narrower = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId, scope: 'patient/*.rs launch/patient' });
    expect(narrower.status).toBe(200);
    expect(narrower.body.scope).toBe('patient/*.rs launch/patient');
    expect(narrower.body.id_token).toBeUndefined();
  });
});
