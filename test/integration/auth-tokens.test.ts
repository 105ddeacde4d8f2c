/**
 * Bearer tokens on the FHIR API: public routes answer without one, the rest need one, and forged,
 * expired, misdirected, tampered or revoked tokens are refused with 401 and WWW-Authenticate.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const subject = { subject: 'u1', kind: 'user' as const, role: 'admin' as const, clientId: 'test-app', scope: 'user/*.cruds' };

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true });
});
afterAll(async () => {
  await server?.close();
});

const get = (path: string, token?: string) => {
  const req = server.request.get(path);
  return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
};

function expectInvalid(res: { status: number; headers: Record<string, string>; body: { resourceType: string; issue: Array<{ code: string }> } }, error = 'invalid_token') {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toMatch(new RegExp(`^Bearer realm="baobab", error="${error}"`));
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0]?.code).toBe('login');
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('without a token', () => {
  it('public routes answer: metadata (declaring SMART on FHIR) and terminology', async () => {
    const metadata = await get('/fhir/metadata');
    expect(metadata.status).toBe(200);
    const security = metadata.body.rest[0].security;
    expect(security.service[0].coding[0].code).toBe('SMART-on-FHIR');
    const uris = Object.fromEntries(security.extension[0].extension.map((e: { url: string; valueUri: string }) => [e.url, e.valueUri]));
    expect(uris).toEqual({ authorize: 'http://localhost:8080/oauth2/authorize', token: 'http://localhost:8080/oauth2/token', revoke: 'http://localhost:8080/oauth2/revoke', introspect: 'http://localhost:8080/oauth2/introspect' });
    expect((await get('/fhir/ValueSet?url=http://example.org/x')).status).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('everything else is 401 with a challenge, and nothing is written', async () => {
    for (const res of [
      await get('/fhir/Patient'),
      await get('/fhir/Patient/123'),
      await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient' }),
      await server.request.post('/fhir/ValueSet').set('Content-Type', FHIR_JSON).send({ resourceType: 'ValueSet', status: 'draft' }),
      await server.request.post('/fhir').set('Content-Type', FHIR_JSON).send({ resourceType: 'Bundle', type: 'batch', entry: [] }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="baobab"');
      expect(res.body.issue[0].code).toBe('login');
    }
    const token = server.container.auth.tokens.issue(subject).accessToken;
    expect((await get('/fhir/Patient', token)).body.entry).toBeUndefined();
  });
});

describe('with a token', () => {
  it('a token we issued is accepted', async () => {
    const { accessToken } = server.container.auth.tokens.issue(subject);
    expect((await get('/fhir/Patient', accessToken)).status).toBe(200);
  });

  it('forged, expired, misdirected and tampered tokens are refused', async () => {
    const { accessToken } = server.container.auth.tokens.issue(subject);
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const publicPem = server.container.auth.tokens['key'].publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const privateKey = server.container.auth.tokens['key'].privateKey;
    const now = Math.floor(Date.now() / 1000);
    const signed = (over: Record<string, unknown>) => jwt.sign({ ...claims, ...over }, privateKey, { algorithm: 'RS256' });
    const hs256 = (() => {
      const h = b64({ alg: 'HS256', typ: 'JWT' });
      const p = b64(claims);
      return `${h}.${p}.${createHmac('sha256', publicPem).update(`${h}.${p}`).digest('base64url')}`;
    })();
    const attacks: Record<string, string> = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'HS256 with our public key': hs256,
      expired: signed({ iat: now - 7200, exp: now - 3600 }),
      'not yet valid': signed({ nbf: now + 3600 }),
      'wrong audience': signed({ aud: 'https://elsewhere.example/fhir' }),
      'wrong issuer': signed({ iss: 'https://elsewhere.example/fhir' }),
      'tampered payload': `${header}.${b64({ ...claims, role: 'admin', sub: 'someone-else' })}.${signature}`,
      'another key': jwt.sign(claims, otherKey(), { algorithm: 'RS256' }),
      garbage: 'not-a-jwt',
      'unknown role': signed({ role: 'superuser' }),
    };
    for (const [name, token] of Object.entries(attacks)) {
      const res = await get('/fhir/Patient', token);
      expect(res.status, name).toBe(401);
      expectInvalid(res as never);
    }
    expectInvalid((await server.request.get('/fhir/Patient').set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`)) as never, 'invalid_request');
  });

  it('a revoked token is refused', async () => {
    const { accessToken } = server.container.auth.tokens.issue(subject);
    expect((await get('/fhir/Patient', accessToken)).status).toBe(200);
    await server.container.auth.tokens.revoke(server.container.auth.tokens.verify(accessToken));
    const res = await get('/fhir/Patient', accessToken);
    expectInvalid(res as never);
    expect(res.headers['www-authenticate']).toMatch(/revoked/);
  });
});

/** A different RSA key than the server's. */
function otherKey() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
