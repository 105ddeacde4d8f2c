/**
 * Hardening (issue 5 §7): security headers on every response, CORS only for the configured
 * origins, and errors that say what went wrong without stack traces or internals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const APP = 'https://app.example.org';

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true, corsOrigins: [APP] });
});
afterAll(async () => {
  await server?.close();
});

describe('hardening', () => {
  it('sends security headers', async () => {
    const res = await server.request.get('/fhir/metadata');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers CORS for allowed origins only', async () => {
    const allowed = await server.request.get('/fhir/metadata').set('Origin', APP);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    expect(allowed.headers['access-control-expose-headers']).toContain('Location');
    const other = await server.request.get('/fhir/metadata').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await server.request.options('/fhir/Patient').set('Origin', APP).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const token = await server.request.options('/oauth2/token').set('Origin', APP).set('Access-Control-Request-Method', 'POST');
    expect(token.status).toBe(204);
  });

  it('errors carry no stack traces or internals', async () => {
    const admin = server.container.auth.tokens.issue({ subject: 'a', kind: 'user', role: 'admin', clientId: 't', scope: 'user/*.cruds' }).accessToken;
    const bad = await server.request.post('/fhir/Patient').set('Authorization', `Bearer ${admin}`).set('Content-Type', FHIR_JSON).send('{"resourceType": "Patient",');
    expect(bad.status).toBe(400);
    const text = JSON.stringify(bad.body);
    expect(text).not.toMatch(/\bat [\w.]+ \(|node_modules|\/src\/|Error:/);
    const login = await server.request.post('/auth/login').set('Content-Type', 'application/json').send('{"email":');
    expect(login.status).toBe(400);
    expect(JSON.stringify(login.body)).not.toMatch(/\bat [\w.]+ \(|node_modules|\/src\//);
  });
});
