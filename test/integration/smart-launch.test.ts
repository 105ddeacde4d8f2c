/**
 * SMART App Launch driven by the real `fhirclient` library (its Node adapter, in a small app on
 * a local port): standalone launch with PKCE by a patient, the FHIR API with the token, refresh
 * through fhirclient, EHR launch from a launch context, a clinician choosing the patient, a
 * confidential (client_secret_basic) app, and the id_token checked against our JWKS.
 */
import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SmartTestServer } from '../helpers/smart';
import { authorizeInBrowser, firstPartyToken, makeAccount, makePatient, registerClient, startSmartServer, tokenRequest } from '../helpers/smart';

/*
 * fhirclient is loaded untyped: its type declarations pull the DOM lib into the whole program
 * (`/// <reference lib="dom" />`), which changes the types of Node's fetch for every file. These
 * are the parts of its Node API the test uses.
 */
interface TokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  patient?: string;
  encounter?: string;
  need_patient_banner?: boolean;
}
interface Client {
  state: { tokenResponse?: TokenResponse };
  request<T>(url: string): Promise<T>;
  refresh(): Promise<unknown>;
  getPatientId(): string | null;
  getFhirUser(): string | null;
}
interface Storage {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  unset(key: string): Promise<boolean>;
}
interface AuthorizeParams {
  clientId?: string;
  clientSecret?: string;
  iss?: string;
  scope?: string;
  redirectUri?: string;
  pkceMode?: 'ifSupported' | 'required' | 'disabled' | 'unsafeV1';
}
type Smart = (req: IncomingMessage, res: ServerResponse, storage: Storage) => { authorize(options: AuthorizeParams): Promise<unknown>; ready(): Promise<Client> };
const smart = createRequire(import.meta.url)('fhirclient') as Smart;

/** A SMART app: /launch starts the flow with fhirclient, /callback completes it. */
class FakeApp {
  readonly storage = new Map<string, unknown>();
  client: Client | undefined;
  options: AuthorizeParams = {};
  private server!: Server;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(options: AuthorizeParams): void {
    this.storage.clear();
    this.client = undefined;
    this.options = { redirectUri: `${this.origin}/callback`, pkceMode: 'required', ...options };
  }

  private readonly store: Storage = {
    get: async (key) => this.storage.get(key),
    set: async (key, value) => {
      this.storage.set(key, value);
      return value;
    },
    unset: async (key) => this.storage.delete(key),
  };

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const fail = (err: unknown) => {
      res.statusCode = 400;
      res.end(String((err as Error).message));
    };
    const path = new URL(req.url ?? '/', this.origin).pathname;
    if (path === '/launch') {
      smart(req, res, this.store).authorize(this.options).catch(fail);
    } else if (path === '/callback') {
      smart(req, res, this.store)
        .ready()
        .then((client) => {
          this.client = client;
          res.end('ready');
        }, fail);
    } else {
      res.statusCode = 404;
      res.end();
    }
  }

  /** Opens /launch in the "browser", signs in at the consent page and lands on /callback. */
  async run(query: string, signIn: Parameters<typeof authorizeInBrowser>[1]): Promise<Client> {
    const launch = await fetch(`${this.origin}/launch${query}`, { redirect: 'manual' });
    expect(launch.status).toBe(302);
    const answer = await authorizeInBrowser(launch.headers.get('location')!, signIn);
    expect(answer.status, answer.body).toBe(303);
    expect(answer.location!.startsWith(`${this.origin}/callback?`)).toBe(true);
    const callback = await fetch(answer.location!, { redirect: 'manual' });
    expect(await callback.text()).toBe('ready');
    return this.client!;
  }
}

let server: SmartTestServer;
const app = new FakeApp();
let publicClient: string;

beforeAll(async () => {
  server = await startSmartServer();
  await app.start();
  publicClient = (
    await registerClient(server, {
      name: 'Growth charts',
      type: 'public',
      redirect_uris: [`${app.origin}/callback`],
      scope: 'openid fhirUser launch launch/patient patient/*.rs user/*.rs offline_access',
    })
  ).client_id;
});
afterAll(async () => {
  await app.stop();
  await server?.close();
});
beforeEach(() => app.reset({ clientId: publicClient, iss: server.fhirBase, scope: 'openid fhirUser launch/patient patient/*.rs offline_access' }));

async function verifyIdToken(idToken: string, clientId: string): Promise<jwt.JwtPayload> {
  const jwks = (await (await fetch(`${server.origin}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, string>> };
  const { kid } = jwt.decode(idToken, { complete: true })!.header;
  const jwk = jwks.keys.find((k) => k.kid === kid)!;
  return jwt.verify(idToken, createPublicKey({ key: jwk, format: 'jwk' }), { algorithms: ['RS256'], audience: clientId, issuer: server.fhirBase }) as jwt.JwtPayload;
}

describe('standalone launch (public client, PKCE) with fhirclient', () => {
  it('a patient signs in, the app reads their record, then refreshes its token', async () => {
    const patient = await makeAccount(server, 'ada@example.org', 'patient');
    const patientId = patient.fhirUser!.split('/')[1]!;
    const client = await app.run('', { email: patient.email });

    const tokens = client.state.tokenResponse!;
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.patient).toBe(patientId);
    expect(tokens.need_patient_banner).toBe(true);
    expect(tokens.scope!.split(' ').sort()).toEqual(['fhirUser', 'launch/patient', 'offline_access', 'openid', 'patient/*.rs']);
    expect(typeof tokens.refresh_token).toBe('string');
    expect(tokens.expires_in).toBe(server.config.accessTokenTtlSeconds);
    expect(client.getPatientId()).toBe(patientId);
    expect(client.getFhirUser()).toBe(patient.fhirUser);

    const claims = await verifyIdToken(tokens.id_token!, publicClient);
    expect(claims.fhirUser).toBe(`${server.fhirBase}/Patient/${patientId}`);
    expect(claims.sub).toBe(patient.id);

    const access = server.container.auth.tokens.verify(tokens.access_token!);
    expect(access).toMatchObject({ subject: patient.id, kind: 'user', role: 'patient', clientId: publicClient, fhirUser: patient.fhirUser, patient: patientId });

    const record = await client.request<{ resourceType: string; id: string }>(`Patient/${patientId}`);
    expect(record).toMatchObject({ resourceType: 'Patient', id: patientId });

    const firstRefresh = tokens.refresh_token!;
    await client.refresh();
    const refreshed = client.state.tokenResponse!;
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(firstRefresh);
    expect(refreshed.patient).toBe(patientId);
    expect((await verifyIdToken(refreshed.id_token!, publicClient)).fhirUser).toBe(`${server.fhirBase}/Patient/${patientId}`);
    expect(await client.request<{ id: string }>(`Patient/${patientId}`)).toMatchObject({ id: patientId });

    // The used refresh token is spent: presenting it again revokes the whole family.
    const reuse = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: firstRefresh, client_id: publicClient });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    const after = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token!, client_id: publicClient });
    expect(after.body.error).toBe('invalid_grant');
  });

  it('the user may untick scopes: no offline_access, no refresh token', async () => {
    await makeAccount(server, 'bola@example.org', 'patient');
    const client = await app.run('', { email: 'bola@example.org', scopes: (offered) => offered.filter((s) => s !== 'offline_access') });
    const tokens = client.state.tokenResponse!;
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.scope).not.toContain('offline_access');
  });

  it('a clinician chooses the patient of a standalone launch', async () => {
    const doctor = await makeAccount(server, 'dr.eze@example.org', 'doctor');
    const patientId = await makePatient(server, 'Chukwu');
    app.reset({ clientId: publicClient, iss: server.fhirBase, scope: 'openid fhirUser launch/patient patient/*.rs user/*.rs' });
    const launch = await fetch(`${app.origin}/launch`, { redirect: 'manual' });
    const authorize = launch.headers.get('location')!;
    const missing = await authorizeInBrowser(authorize, { email: doctor.email });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('Enter the id of the patient');
    const unknown = await authorizeInBrowser(authorize, { email: doctor.email, patient: 'no-such-patient' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('There is no patient with id');

    const client = await app.run('', { email: doctor.email, patient: patientId });
    const tokens = client.state.tokenResponse!;
    expect(tokens.patient).toBe(patientId);
    expect(tokens.scope!.split(' ')).toEqual(expect.arrayContaining(['patient/*.rs', 'user/*.rs', 'launch/patient']));
    expect(server.container.auth.tokens.verify(tokens.access_token!)).toMatchObject({ role: 'doctor', fhirUser: doctor.fhirUser, patient: patientId });
    expect((await verifyIdToken(tokens.id_token!, publicClient)).fhirUser).toBe(`${server.fhirBase}/${doctor.fhirUser}`);
  });

  it('without launch/patient there is no patient context and no patient/ scope', async () => {
    const doctor = await makeAccount(server, 'dr.obi@example.org', 'doctor');
    app.reset({ clientId: publicClient, iss: server.fhirBase, scope: 'openid fhirUser patient/*.rs user/*.rs' });
    const client = await app.run('', { email: doctor.email });
    const tokens = client.state.tokenResponse!;
    expect(tokens.patient).toBeUndefined();
    expect(tokens.scope!.split(' ').sort()).toEqual(['fhirUser', 'openid', 'user/*.rs']);
  });
});

describe('EHR launch', () => {
  it('a launch context created by a clinician gives the app its patient', async () => {
    const nurse = await makeAccount(server, 'nurse.ama@example.org', 'nurse');
    const other = await makeAccount(server, 'nurse.efe@example.org', 'nurse');
    const patientId = await makePatient(server, 'Adeyemi');
    const staffToken = firstPartyToken(server, nurse.id, 'nurse');

    const noToken = await server.request.post('/oauth2/launch').send({ patient: patientId });
    expect(noToken.status).toBe(401);
    const patientToken = firstPartyToken(server, 'p', 'patient');
    expect((await server.request.post('/oauth2/launch').set('Authorization', `Bearer ${patientToken}`).send({ patient: patientId })).status).toBe(403);
    // A third-party app holding the nurse's token cannot create launch contexts.
    const appToken = server.container.auth.tokens.issue({ subject: nurse.id, kind: 'user', role: 'nurse', clientId: publicClient, scope: 'user/*.rs' }).accessToken;
    expect((await server.request.post('/oauth2/launch').set('Authorization', `Bearer ${appToken}`).send({ patient: patientId })).status).toBe(403);
    const badPatient = await server.request.post('/oauth2/launch').set('Authorization', `Bearer ${staffToken}`).send({ patient: 'nobody' });
    expect(badPatient.status).toBe(400);
    expect(badPatient.body.error).toBe('invalid_request');

    const created = await server.request.post('/oauth2/launch').set('Authorization', `Bearer ${staffToken}`).send({ patient: patientId, client_id: publicClient });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ iss: server.fhirBase, expires_in: 300 });
    const launchId = created.body.launch as string;

    app.reset({ clientId: publicClient, scope: 'launch openid fhirUser patient/*.rs user/*.rs' });
    const query = `?iss=${encodeURIComponent(server.fhirBase)}&launch=${encodeURIComponent(launchId)}`;
    // Someone else signing in cannot take over the clinician's launch.
    const launch = await fetch(`${app.origin}/launch${query}`, { redirect: 'manual' });
    const stranger = await authorizeInBrowser(launch.headers.get('location')!, { email: other.email });
    expect(stranger.status).toBe(403);
    expect(stranger.body).toContain('started by another user');

    const client = await app.run(query, { email: nurse.email });
    const tokens = client.state.tokenResponse!;
    expect(tokens.patient).toBe(patientId);
    expect(tokens.need_patient_banner).toBe(false);
    expect(tokens.scope!.split(' ')).toEqual(expect.arrayContaining(['launch', 'patient/*.rs']));
    expect(server.container.auth.tokens.verify(tokens.access_token!).patient).toBe(patientId);
  });

  it('a launch bound to another client, or unknown, is refused back to the app', async () => {
    const doctor = await makeAccount(server, 'dr.ike@example.org', 'doctor');
    const staffToken = firstPartyToken(server, doctor.id, 'doctor');
    const other = await registerClient(server, { name: 'Other', type: 'public', redirect_uris: ['https://other.example.org/cb'], scope: 'launch patient/*.rs' });
    const created = await server.request.post('/oauth2/launch').set('Authorization', `Bearer ${staffToken}`).send({ client_id: other.client_id });
    expect(created.status).toBe(201);
    for (const launchId of [created.body.launch as string, 'unknown-launch']) {
      app.reset({ clientId: publicClient, scope: 'launch patient/*.rs' });
      const launch = await fetch(`${app.origin}/launch?iss=${encodeURIComponent(server.fhirBase)}&launch=${launchId}`, { redirect: 'manual' });
      const answer = await fetch(launch.headers.get('location')!, { redirect: 'manual' });
      expect(answer.status).toBe(302);
      const back = new URL(answer.headers.get('location')!);
      expect(back.origin + back.pathname).toBe(`${app.origin}/callback`);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('state')).toBeTruthy();
    }
  });
});

describe('confidential symmetric client (client_secret_basic) with fhirclient', () => {
  it('authenticates at the token endpoint with HTTP Basic', async () => {
    const registered = await registerClient(server, {
      name: 'Clinic portal',
      type: 'confidential-symmetric',
      redirect_uris: [`${app.origin}/callback`],
      scope: 'openid fhirUser launch/patient patient/*.rs offline_access',
    });
    await makeAccount(server, 'chi@example.org', 'patient');
    app.reset({ clientId: registered.client_id, clientSecret: registered.client_secret!, iss: server.fhirBase, scope: 'openid fhirUser launch/patient patient/*.rs offline_access' });
    const client = await app.run('', { email: 'chi@example.org' });
    expect(client.state.tokenResponse!.access_token).toBeTruthy();
    await client.refresh();
    expect(client.state.tokenResponse!.refresh_token).toBeTruthy();

    // A wrong secret is a 401 invalid_client with a Basic challenge.
    const wrong = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: client.state.tokenResponse!.refresh_token! }, `Basic ${Buffer.from(`${registered.client_id}:nope`).toString('base64')}`);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    // Without any authentication the confidential client is refused.
    const none = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: client.state.tokenResponse!.refresh_token!, client_id: registered.client_id });
    expect(none.status).toBe(401);
    // client_secret_post is not supported.
    const post = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'x', client_id: registered.client_id, client_secret: registered.client_secret! });
    expect(post.status).toBe(401);
    expect(post.body.error_description).toMatch(/client_secret_basic/);
  });
});
