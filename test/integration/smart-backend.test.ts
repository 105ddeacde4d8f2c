/**
 * SMART Backend Services (client_credentials with a private_key_jwt assertion, keys inline or at
 * a jwks_uri served by a local server) and token revocation (RFC 7009) and introspection
 * (RFC 7662).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmartTestServer } from '../helpers/smart';
import { registerClient, startSmartServer, tokenRequest } from '../helpers/smart';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface Signer {
  privateKey: KeyObject;
  jwk: JsonWebKey;
  alg: 'RS384' | 'ES384';
  kid: string;
}

function signer(alg: 'RS384' | 'ES384'): Signer {
  const pair = alg === 'RS384' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const kid = randomUUID();
  return { privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg }, alg, kid };
}

let server: SmartTestServer;
let jwksServer: Server;
let jwksOrigin: string;
let jwksFetches = 0;
const rsa = signer('RS384');
const ec = signer('ES384');
const remote = signer('RS384');
let inlineClient: string;
let remoteClient: string;
let bigClient: string;

beforeAll(async () => {
  jwksServer = createServer((req, res) => {
    if (req.url === '/jwks.json') {
      jwksFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [remote.jwk] }));
    } else if (req.url === '/big.json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [remote.jwk], padding: 'x'.repeat(200_000) }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksOrigin = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  server = await startSmartServer();
  inlineClient = (await registerClient(server, { name: 'Lab feed', type: 'confidential-asymmetric', scope: 'system/Observation.rs system/Patient.rs', jwks: { keys: [rsa.jwk, ec.jwk] } })).client_id;
  remoteClient = (await registerClient(server, { name: 'Registry sync', type: 'confidential-asymmetric', scope: 'system/*.rs', jwks_uri: `${jwksOrigin}/jwks.json` })).client_id;
  bigClient = (await registerClient(server, { name: 'Big keys', type: 'confidential-asymmetric', scope: 'system/*.rs', jwks_uri: `${jwksOrigin}/big.json` })).client_id;
});
afterAll(async () => {
  await server?.close();
  jwksServer?.closeAllConnections();
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
});

function assertion(clientId: string, key: Signer, over: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: clientId, sub: clientId, aud: server.tokenUrl, exp: now + 240, jti: randomUUID(), ...over };
  return jwt.sign(claims, key.privateKey, { algorithm: key.alg, header: { alg: key.alg, kid: key.kid, typ: 'JWT', ...header } });
}

const backendToken = (clientAssertion: string, scope = 'system/Observation.rs') =>
  tokenRequest(server, { grant_type: 'client_credentials', scope, client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion });

describe('client_credentials with private_key_jwt', () => {
  it('issues a client token for an RS384 assertion (inline JWKS) that works on the FHIR API', async () => {
    const res = await backendToken(assertion(inlineClient, rsa), 'system/Observation.rs system/Patient.cruds system/Encounter.rs user/*.rs');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'system/Observation.rs', expires_in: server.config.accessTokenTtlSeconds });
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.body.id_token).toBeUndefined();
    const auth = server.container.auth.tokens.verify(res.body.access_token as string);
    expect(auth).toMatchObject({ subject: inlineClient, kind: 'client', clientId: inlineClient, scopes: ['system/Observation.rs'] });
    expect(auth.role).toBeUndefined();
    const search = await server.request.get('/fhir/Observation').set('Authorization', `Bearer ${res.body.access_token as string}`);
    expect(search.status).toBe(200);
  });

  it('accepts ES384 and keys fetched from a jwks_uri (cached)', async () => {
    expect((await backendToken(assertion(inlineClient, ec))).status).toBe(200);
    const before = jwksFetches;
    for (let i = 0; i < 3; i++) {
      const res = await backendToken(assertion(remoteClient, remote), 'system/*.rs');
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('system/*.rs');
    }
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
    // jku may only name the registered jwks_uri.
    const jku = await backendToken(assertion(remoteClient, remote, {}, { jku: `${jwksOrigin}/jwks.json` }), 'system/*.rs');
    expect(jku.status).toBe(200);
    const otherJku = await backendToken(assertion(remoteClient, remote, {}, { jku: 'https://evil.example.org/jwks.json' }), 'system/*.rs');
    expect(otherJku.status).toBe(401);
  });

  it('refuses a reused jti, a wrong aud, expired or long-lived assertions, wrong keys and algorithms', async () => {
    const once = assertion(inlineClient, rsa);
    expect((await backendToken(once)).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const stranger = signer('RS384');
    const cases: Array<[string, string, RegExp]> = [
      ['reused jti', once, /jti was already used/],
      ['wrong aud', assertion(inlineClient, rsa, { aud: server.fhirBase }), /aud must be the token endpoint/],
      ['expired', assertion(inlineClient, rsa, { exp: now - 120 }), /expired/],
      ['exp too far ahead', assertion(inlineClient, rsa, { exp: now + 3600 }), /five minutes/],
      ['no exp', jwt.sign({ iss: inlineClient, sub: inlineClient, aud: server.tokenUrl, jti: randomUUID() }, rsa.privateKey, { algorithm: 'RS384', keyid: rsa.kid }), /needs an exp/],
      ['no jti', assertion(inlineClient, rsa, { jti: undefined }), /needs a jti/],
      ['sub is not the client', assertion(inlineClient, rsa, { sub: 'someone' }), /iss and sub/],
      ['signed by another key with a registered kid', jwt.sign({ iss: inlineClient, sub: inlineClient, aud: server.tokenUrl, exp: now + 60, jti: randomUUID() }, stranger.privateKey, { algorithm: 'RS384', keyid: rsa.kid }), /signature/],
      ['unknown kid', assertion(inlineClient, stranger), /no registered key/],
      ['RS256', jwt.sign({ iss: inlineClient, sub: inlineClient, aud: server.tokenUrl, exp: now + 60, jti: randomUUID() }, rsa.privateKey, { algorithm: 'RS256', keyid: rsa.kid }), /RS384 or ES384/],
      ['HS256', jwt.sign({ iss: inlineClient, sub: inlineClient, aud: server.tokenUrl, exp: now + 60, jti: randomUUID() }, 'secret', { algorithm: 'HS256' }), /RS384 or ES384/],
      ['not a JWT', 'garbage', /iss/],
      ['unknown client', assertion('nobody', rsa), /authentication failed/],
      ['JWKS too large', assertion(bigClient, remote), /too large/],
    ];
    for (const [label, clientAssertion, description] of cases) {
      const res = await backendToken(clientAssertion);
      expect({ label, status: res.status, error: res.body.error }).toEqual({ label, status: 401, error: 'invalid_client' });
      expect(res.body.error_description, label).toMatch(description);
    }
    const wrongType = await tokenRequest(server, { grant_type: 'client_credentials', scope: 'system/*.rs', client_assertion_type: 'urn:other', client_assertion: assertion(inlineClient, rsa) });
    expect(wrongType.status).toBe(401);
  });

  it('grants only the registered system/ scopes', async () => {
    const none = await backendToken(assertion(inlineClient, rsa), 'system/Encounter.rs patient/*.rs');
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('invalid_scope');
    const missing = await backendToken(assertion(inlineClient, rsa), '');
    expect(missing.body.error).toBe('invalid_scope');
  });
});

describe('revocation and introspection', () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const form = (path: string, body: Record<string, string>, authorization?: string) =>
    fetch(`${server.origin}/oauth2/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
      body: new URLSearchParams(body).toString(),
    });
  const introspect = async (token: string, auth: Record<string, string>, authorization?: string) => {
    const res = await form('introspect', { token, ...auth }, authorization);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const withAssertion = () => ({ client_assertion_type: ASSERTION_TYPE, client_assertion: assertion(inlineClient, rsa) });

  it('introspects a backend token for its client, and revoking it makes it inactive everywhere', async () => {
    const issued = await backendToken(assertion(inlineClient, rsa));
    const token = issued.body.access_token as string;
    const active = await introspect(token, withAssertion());
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ active: true, scope: 'system/Observation.rs', client_id: inlineClient, sub: inlineClient, token_type: 'Bearer', iss: server.fhirBase });
    expect(typeof active.body.exp).toBe('number');
    expect(typeof active.body.iat).toBe('number');

    const revoke = await form('revoke', { token, ...withAssertion() });
    expect(revoke.status).toBe(200);
    expect((await introspect(token, withAssertion())).body).toEqual({ active: false });
    expect((await introspect(token, {}, `Bearer ${server.adminToken}`)).body).toEqual({ active: false });
    const use = await server.request.get('/fhir/Observation').set('Authorization', `Bearer ${token}`);
    expect(use.status).toBe(401);
    expect(use.headers['www-authenticate']).toMatch(/invalid_token/);
  });

  it('an admin introspects any token; clients only their own; public clients not at all', async () => {
    const portal = await registerClient(server, { name: 'Portal', type: 'confidential-symmetric', redirect_uris: ['https://portal.example.org/cb'], scope: 'openid fhirUser launch/patient patient/*.rs offline_access' });
    const app = await registerClient(server, { name: 'App', type: 'public', redirect_uris: ['https://app.example.org/cb'], scope: 'patient/*.rs offline_access' });
    const user = { subject: 'acct-1', kind: 'user' as const, role: 'patient' as const, clientId: app.client_id, scope: 'patient/*.rs offline_access', fhirUser: 'Patient/p1', patient: 'p1' };
    const access = server.container.auth.tokens.issue(user).accessToken;
    const refresh = await server.container.auth.refreshTokens.issue(user);

    const byAdmin = await introspect(access, {}, `Bearer ${server.adminToken}`);
    expect(byAdmin.body).toMatchObject({ active: true, client_id: app.client_id, sub: 'acct-1', fhirUser: 'Patient/p1', patient: 'p1', scope: 'patient/*.rs offline_access' });
    const refreshInfo = await introspect(refresh, {}, `Bearer ${server.adminToken}`);
    expect(refreshInfo.body).toMatchObject({ active: true, token_type: 'refresh_token', client_id: app.client_id, patient: 'p1' });

    expect((await introspect(access, {}, basic(portal.client_id, portal.client_secret!))).body).toEqual({ active: false });
    expect((await introspect('not-a-token', {}, basic(portal.client_id, portal.client_secret!))).body).toEqual({ active: false });
    const publicCaller = await introspect(access, { client_id: app.client_id });
    expect(publicCaller.status).toBe(401);
    expect(publicCaller.body.error).toBe('invalid_client');
    const nobody = await introspect(access, {});
    expect(nobody.status).toBe(401);
    const notAdmin = await introspect(access, {}, `Bearer ${access}`);
    expect(notAdmin.status).toBe(403);

    // RFC 7009: another client's token, or an unknown one, is 200 and nothing happens.
    expect((await form('revoke', { token: refresh }, basic(portal.client_id, portal.client_secret!))).status).toBe(200);
    expect((await introspect(refresh, {}, `Bearer ${server.adminToken}`)).body.active).toBe(true);
    expect((await form('revoke', { token: 'unknown', client_id: app.client_id })).status).toBe(200);
    expect((await form('revoke', { token: refresh })).status).toBe(401);

    // The public client revokes its refresh token: the family goes, the refresh grant fails.
    expect((await form('revoke', { token: refresh, client_id: app.client_id, token_type_hint: 'refresh_token' })).status).toBe(200);
    expect((await introspect(refresh, {}, `Bearer ${server.adminToken}`)).body).toEqual({ active: false });
    const again = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refresh, client_id: app.client_id });
    expect(again.body.error).toBe('invalid_grant');

    // And its access token.
    expect((await form('revoke', { token: access, client_id: app.client_id })).status).toBe(200);
    expect((await server.request.get('/fhir/Patient/p1').set('Authorization', `Bearer ${access}`)).status).toBe(401);
  });
});
