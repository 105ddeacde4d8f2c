/**
 * SMART discovery (/.well-known/smart-configuration at the root and under the FHIR base, our
 * JWKS) and client registration by an admin (POST /admin/clients): every field validated, the
 * secret of a symmetric client shown once and stored hashed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmartTestServer } from '../helpers/smart';
import { firstPartyToken, startSmartServer } from '../helpers/smart';

let server: SmartTestServer;

beforeAll(async () => {
  server = await startSmartServer();
});
afterAll(async () => {
  await server?.close();
});

const register = (body: unknown, token: string | null = server.adminToken) => {
  const req = server.request.post('/admin/clients');
  return (token !== null ? req.set('Authorization', `Bearer ${token}`) : req).send(body as object);
};

describe('discovery', () => {
  it('serves the SMART configuration at the root and under the FHIR base, without a token', async () => {
    for (const path of ['/.well-known/smart-configuration', '/fhir/.well-known/smart-configuration']) {
      const res = await server.request.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const config = res.body;
      expect(config.issuer).toBe(server.fhirBase);
      expect(config.authorization_endpoint).toBe(`${server.origin}/oauth2/authorize`);
      expect(config.token_endpoint).toBe(`${server.origin}/oauth2/token`);
      expect(config.jwks_uri).toBe(`${server.origin}/.well-known/jwks.json`);
      expect(config.introspection_endpoint).toBe(`${server.origin}/oauth2/introspect`);
      expect(config.revocation_endpoint).toBe(`${server.origin}/oauth2/revoke`);
      expect(config.code_challenge_methods_supported).toEqual(['S256']);
      expect(config.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']));
      expect(config.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['private_key_jwt', 'client_secret_basic']));
      expect(config.token_endpoint_auth_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS384', 'ES384']));
      expect(config.response_types_supported).toEqual(['code']);
      expect(config.registration_endpoint).toBeUndefined();
      expect(config.capabilities).toEqual(
        expect.arrayContaining([
          'launch-ehr',
          'launch-standalone',
          'client-public',
          'client-confidential-symmetric',
          'client-confidential-asymmetric',
          'context-ehr-patient',
          'context-standalone-patient',
          'permission-offline',
          'permission-patient',
          'permission-user',
          'permission-v1',
          'permission-v2',
          'sso-openid-connect',
          'authorize-post',
        ]),
      );
    }
  });

  it('serves our public signing key as a JWKS that verifies our tokens', async () => {
    const res = await server.request.get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(1);
    const [key] = res.body.keys;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(key.kid).toBe(server.container.auth.key.kid);
    expect(key.d).toBeUndefined();
  });
});

describe('client registration', () => {
  const publicApp = { name: 'Growth charts', type: 'public', redirect_uris: ['https://app.example.org/callback'], scope: 'openid fhirUser launch/patient patient/*.rs offline_access' };

  it('needs an admin token', async () => {
    const none = await register(publicApp, null);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.body.error).toBe('invalid_token');
    const forged = await register(publicApp, 'not-a-token');
    expect(forged.status).toBe(401);
    const doctor = firstPartyToken(server, 'd1', 'doctor');
    const asDoctor = await register(publicApp, doctor);
    expect(asDoctor.status).toBe(403);
    expect(asDoctor.body.error).toBe('insufficient_scope');
    const backend = server.container.auth.tokens.issue({ subject: 'svc', kind: 'client', clientId: 'svc', scope: 'system/*.cruds' }).accessToken;
    expect((await register(publicApp, backend)).status).toBe(403);
    // An admin's token held by a third-party app does not manage clients.
    const appToken = server.container.auth.tokens.issue({ subject: 'a1', kind: 'user', role: 'admin', clientId: 'some-app', scope: 'user/*.cruds' }).accessToken;
    const viaApp = await register(publicApp, appToken);
    expect(viaApp.status).toBe(403);
    expect(viaApp.body.error_description).toMatch(/auth\/login/);
  });

  it('registers a public client with defaults and a generated client_id', async () => {
    const res = await register(publicApp);
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ name: 'Growth charts', type: 'public', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] });
    expect(res.body.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.client_secret).toBeUndefined();
    expect(res.headers.location).toBe(`${server.origin}/admin/clients/${res.body.client_id}`);
    const read = await server.request.get(`/admin/clients/${res.body.client_id}`).set('Authorization', `Bearer ${server.adminToken}`);
    expect(read.status).toBe(200);
    expect(read.body.redirect_uris).toEqual(publicApp.redirect_uris);
  });

  it('shows a symmetric client secret once and keeps only its hash', async () => {
    const res = await register({ ...publicApp, client_id: 'charts-server', type: 'confidential-symmetric' });
    expect(res.status).toBe(201);
    expect(res.body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.token_endpoint_auth_method).toBe('client_secret_basic');
    const stored = await server.container.mongoClient.db(server.config.mongodbDatabase).collection('smart_clients').findOne({ _id: 'charts-server' as never });
    expect(JSON.stringify(stored)).not.toContain(res.body.client_secret);
    const read = await server.request.get('/admin/clients/charts-server').set('Authorization', `Bearer ${server.adminToken}`);
    expect(read.body.client_secret).toBeUndefined();
    expect(read.body.secretHash).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain(stored!.secretHash);
    const list = await server.request.get('/admin/clients').set('Authorization', `Bearer ${server.adminToken}`);
    expect(list.body.clients.map((c: { client_id: string }) => c.client_id)).toContain('charts-server');
    const again = await register({ ...publicApp, client_id: 'charts-server' });
    expect(again.status).toBe(409);
  });

  it('registers backend services with an inline JWKS or a jwks_uri', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const inline = await register({ name: 'Lab feed', type: 'confidential-asymmetric', scope: 'system/Observation.cruds', jwks: { keys: [{ ...rsa, kid: 'r1' }, { ...ec, kid: 'e1' }] } });
    expect(inline.status).toBe(201);
    expect(inline.body).toMatchObject({ grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' });
    expect(inline.body.jwks.keys).toHaveLength(2);
    const byUrl = await register({ name: 'Registry sync', type: 'confidential-asymmetric', scope: 'system/*.rs', jwks_uri: 'https://registry.example.org/jwks.json' });
    expect(byUrl.status).toBe(201);
    expect(byUrl.body.jwks_uri).toBe('https://registry.example.org/jwks.json');
  });

  it('refuses invalid registrations', async () => {
    const rsaPrivate = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const backend = { name: 'B', type: 'confidential-asymmetric', scope: 'system/*.rs' };
    const cases: Array<[string, unknown, string]> = [
      ['not an object', [1], 'invalid_client_metadata'],
      ['unknown field', { ...publicApp, colour: 'red' }, 'invalid_client_metadata'],
      ['no name', { ...publicApp, name: '' }, 'invalid_client_metadata'],
      ['bad type', { ...publicApp, type: 'trusted' }, 'invalid_client_metadata'],
      ['bad client_id', { ...publicApp, client_id: 'a b' }, 'invalid_client_metadata'],
      ['http redirect', { ...publicApp, redirect_uris: ['http://app.example.org/cb'] }, 'invalid_redirect_uri'],
      ['relative redirect', { ...publicApp, redirect_uris: ['/cb'] }, 'invalid_redirect_uri'],
      ['fragment', { ...publicApp, redirect_uris: ['https://app.example.org/cb#x'] }, 'invalid_redirect_uri'],
      ['custom scheme', { ...publicApp, redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
      ['no redirect for code', { ...publicApp, redirect_uris: [] }, 'invalid_client_metadata'],
      ['unknown scope', { ...publicApp, scope: 'patient/*.rs admin' }, 'invalid_client_metadata'],
      ['no scope', { ...publicApp, scope: '' }, 'invalid_client_metadata'],
      ['system scope for a public app', { ...publicApp, scope: 'system/*.rs' }, 'invalid_client_metadata'],
      ['unknown grant', { ...publicApp, grant_types: ['password'] }, 'invalid_client_metadata'],
      ['client_credentials for a public client', { ...publicApp, grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
      ['jwks on a public client', { ...publicApp, jwks: { keys: [] } }, 'invalid_client_metadata'],
      ['asymmetric without keys', backend, 'invalid_client_metadata'],
      ['asymmetric with both', { ...backend, jwks: { keys: [p256] }, jwks_uri: 'https://x.example.org/k' }, 'invalid_client_metadata'],
      ['private key material', { ...backend, jwks: { keys: [rsaPrivate] } }, 'invalid_client_metadata'],
      ['short RSA key', { ...backend, jwks: { keys: [small] } }, 'invalid_client_metadata'],
      ['P-256 key', { ...backend, jwks: { keys: [p256] } }, 'invalid_client_metadata'],
      ['garbage key', { ...backend, jwks: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] } }, 'invalid_client_metadata'],
      ['http jwks_uri', { ...backend, jwks_uri: 'http://keys.example.org/jwks' }, 'invalid_client_metadata'],
    ];
    for (const [label, body, error] of cases) {
      const res = await register(body);
      expect({ label, status: res.status, error: res.body.error }).toEqual({ label, status: 400, error });
      expect(typeof res.body.error_description).toBe('string');
    }
    const malformed = await server.request.post('/admin/clients').set('Authorization', `Bearer ${server.adminToken}`).set('Content-Type', 'application/json').send('{"name":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('invalid_client_metadata');
  });

  it('answers 404 for an unknown client', async () => {
    const res = await server.request.get('/admin/clients/nope').set('Authorization', `Bearer ${server.adminToken}`);
    expect(res.status).toBe(404);
  });
});

describe('rate limit', () => {
  it('limits /oauth2/* per client IP (Redis), not discovery', async () => {
    const limited = await startSmartServer({ authRateLimitPerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.request.post('/oauth2/token').type('form').send({ grant_type: 'password' })).status);
      expect(statuses).toEqual([400, 400, 400, 429]);
      const refused = await limited.request.get('/oauth2/authorize?client_id=x');
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(refused.body.error).toBe('too_many_requests');
      expect((await limited.request.get('/.well-known/smart-configuration')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
