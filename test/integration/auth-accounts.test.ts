/**
 * Accounts over real HTTP, MongoDB and Redis: self-registration with email verification,
 * first-party sign-in, refresh rotation and reuse detection, sign-out, lockout, the per-IP rate
 * limit, the first admin, /admin/users, and no answer that tells whether an email has an account.
 * Emails are read from a test transport behind the real BullMQ queue.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';
import { Mailbox } from '../helpers/mailbox';

const ADMIN = { email: 'root@clinic.test', password: 'Admin-Password-1' };
const mailbox = new Mailbox();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(
    { authEnabled: true, authRateLimitPerMinute: 10_000, loginMaxFailures: 3, loginLockoutSeconds: 60, adminEmail: ADMIN.email, adminPassword: ADMIN.password },
    { mailTransport: mailbox },
  );
});
afterAll(async () => {
  await server?.close();
});

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
  patient?: string;
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const login = (email: string, password: string) => server.request.post('/auth/login').send({ email, password });
const pathOf = (url: URL) => `${url.pathname}${url.search}`;

async function adminToken(): Promise<string> {
  const res = await login(ADMIN.email, ADMIN.password);
  expect(res.status).toBe(200);
  return (res.body as TokenBody).access_token;
}

/** Registers and verifies a patient; its email and password. */
async function registeredPatient(email: string, password = 'Patient-Pass-1'): Promise<{ email: string; password: string }> {
  expect((await server.request.post('/auth/register').send({ email, password })).status).toBe(202);
  const link = Mailbox.link(await mailbox.waitFor(email), '/auth/verify-email');
  expect((await server.request.get(pathOf(link))).status).toBe(200);
  return { email, password };
}

describe('self-registration to sign-out', () => {
  it('register → email → verify → login → FHIR → refresh → reuse revokes the family → logout revokes', async () => {
    const email = 'ada.okafor@example.org';
    const password = 'Correct-Horse-9';
    const registered = await server.request.post('/auth/register').send({ email: 'Ada.Okafor@Example.org', password, name: 'Ada Okafor' });
    expect(registered.status).toBe(202);
    expect(registered.body.status).toBe('accepted');

    // Not active before the email is verified (said only to someone who knows the password).
    const early = await login(email, password);
    expect(early.status).toBe(400);
    expect(early.body).toEqual({ error: 'invalid_grant', error_description: expect.stringMatching(/not verified/) });

    const mail = await mailbox.waitFor(email);
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.from).toBe(server.config.mailFrom);
    const link = Mailbox.link(mail, '/auth/verify-email');
    expect(link.origin).toBe('http://localhost:8080');
    const token = link.searchParams.get('token')!;
    // Only a hash of the token is stored.
    const stored = await server.container.mongoClient.db(server.config.mongodbDatabase).collection('auth_account_tokens').find().toArray();
    expect(JSON.stringify(stored)).not.toContain(token);

    const verified = await server.request.get(pathOf(link));
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('verified');
    const again = await server.request.get(pathOf(link));
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_token');

    const signedIn = await login(email, password);
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers['cache-control']).toBe('no-store');
    const tokens = signedIn.body as TokenBody;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: server.config.accessTokenTtlSeconds, scope: 'fhirUser launch/patient patient/*.cruds offline_access' });
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const claims = claimsOf(tokens.access_token);
    expect(claims).toMatchObject({ kind: 'user', role: 'patient', client_id: 'baobab-first-party', fhirUser: `Patient/${tokens.patient}`, patient: tokens.patient });

    // The Patient created at verification, read with the token.
    const patient = await server.request.get(`/fhir/Patient/${tokens.patient}`).set('Authorization', `Bearer ${tokens.access_token}`);
    expect(patient.status).toBe(200);
    expect(patient.body.name).toEqual([{ text: 'Ada Okafor' }]);
    expect(patient.body.telecom).toEqual([{ system: 'email', value: email, use: 'home' }]);

    const refreshed = await server.request.post('/auth/refresh').send({ refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body as TokenBody;
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.access_token).not.toBe(tokens.access_token);
    expect(claimsOf(next.access_token)).toMatchObject({ sub: claims.sub, role: 'patient', patient: tokens.patient });
    expect((await server.request.get(`/fhir/Patient/${tokens.patient}`).set('Authorization', `Bearer ${next.access_token}`)).status).toBe(200);

    // Reusing the first refresh token revokes the whole family, including the rotated one.
    const reused = await server.request.post('/auth/refresh').type('form').send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    expect((await server.request.post('/auth/refresh').send({ refresh_token: next.refresh_token })).status).toBe(400);

    // Logout revokes the access token and the refresh family.
    const session = (await login(email, password)).body as TokenBody;
    expect((await server.request.post('/auth/logout').send({ refresh_token: session.refresh_token })).status).toBe(401);
    const out = await server.request.post('/auth/logout').set('Authorization', `Bearer ${session.access_token}`).send({ refresh_token: session.refresh_token });
    expect(out.status).toBe(204);
    const after = await server.request.get(`/fhir/Patient/${tokens.patient}`).set('Authorization', `Bearer ${session.access_token}`);
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toMatch(/revoked/);
    expect((await server.request.post('/auth/refresh').send({ refresh_token: session.refresh_token })).status).toBe(400);
  });

  it('login also takes a form body (username or email)', async () => {
    const { email, password } = await registeredPatient('form.user@example.org');
    const res = await server.request.post('/auth/login').type('form').send({ grant_type: 'password', username: email, password });
    expect(res.status).toBe(200);
    expect((res.body as TokenBody).token_type).toBe('Bearer');
    const wrongGrant = await server.request.post('/auth/login').type('form').send({ grant_type: 'client_credentials', username: email, password });
    expect(wrongGrant.body.error).toBe('unsupported_grant_type');
  });

  it('resend-verification sends a new link to an unverified account', async () => {
    const email = 'slow.reader@example.org';
    await server.request.post('/auth/register').send({ email, password: 'Slow-Reader-1' }).expect(202);
    await mailbox.waitFor(email, 1);
    await server.request.post('/auth/resend-verification').send({ email }).expect(202);
    const second = await mailbox.waitFor(email, 2);
    expect((await server.request.get(pathOf(Mailbox.link(second, '/auth/verify-email')))).status).toBe(200);
    expect((await login(email, 'Slow-Reader-1')).status).toBe(200);
  });

  it('refuses bad input with 4xx JSON, never 500', async () => {
    const cases: Array<[string, () => Promise<{ status: number; body: { error?: string } }>, number]> = [
      ['role in the body', () => server.request.post('/auth/register').send({ email: 'x1@example.org', password: 'Long-Enough-1', role: 'admin' }), 400],
      ['fhirUser in the body', () => server.request.post('/auth/register').send({ email: 'x1@example.org', password: 'Long-Enough-1', fhirUser: 'Practitioner/1' }), 400],
      ['short password', () => server.request.post('/auth/register').send({ email: 'x2@example.org', password: 'Short-1' }), 400],
      ['one character class', () => server.request.post('/auth/register').send({ email: 'x3@example.org', password: 'onlylowercaseletters' }), 400],
      ['bad email', () => server.request.post('/auth/register').send({ email: 'not-an-email', password: 'Long-Enough-1' }), 400],
      ['email of another type', () => server.request.post('/auth/register').send({ email: ['a@b.org'], password: 'Long-Enough-1' }), 400],
      ['password of another type', () => server.request.post('/auth/login').send({ email: 'a@b.org', password: 12345678901 }), 400],
      ['malformed JSON', () => server.request.post('/auth/login').set('Content-Type', 'application/json').send('{"email": '), 400],
      ['JSON array', () => server.request.post('/auth/login').set('Content-Type', 'application/json').send('[1,2]'), 400],
      ['no body', () => server.request.post('/auth/login'), 400],
      ['text body', () => server.request.post('/auth/login').set('Content-Type', 'text/plain').send('hello'), 400],
      ['oversized body', () => server.request.post('/auth/register').send({ email: 'big@example.org', password: 'x'.repeat(20_000) }), 413],
      ['repeated form field', () => server.request.post('/auth/login').type('form').send('email=a@b.org&email=c@d.org&password=x'), 400],
      ['missing verification token', () => server.request.get('/auth/verify-email'), 400],
      ['garbage verification token', () => server.request.get('/auth/verify-email?token=%00%ff'), 400],
      ['repeated verification token', () => server.request.get('/auth/verify-email?token=a&token=b'), 400],
      ['unknown refresh token', () => server.request.post('/auth/refresh').send({ refresh_token: 'nope' }), 400],
      ['refresh token of another type', () => server.request.post('/auth/refresh').send({ refresh_token: { $gt: '' } }), 400],
      ['bad set-password token', () => server.request.post('/auth/set-password').send({ token: 'abc', password: 'Long-Enough-1' }), 400],
    ];
    for (const [name, send, status] of cases) {
      const res = await send();
      expect(res.status, name).toBe(status);
      expect(typeof res.body.error, name).toBe('string');
    }
  });
});

describe('no user enumeration', () => {
  it('registering a taken address answers like a new one and emails the owner', async () => {
    const { email } = await registeredPatient('taken@example.org');
    const fresh = await server.request.post('/auth/register').send({ email: 'brand.new@example.org', password: 'Another-Pass-1' });
    const taken = await server.request.post('/auth/register').send({ email, password: 'Another-Pass-1' });
    expect(taken.status).toBe(fresh.status);
    expect(taken.body).toEqual(fresh.body);
    const notice = await mailbox.waitFor(email, 2);
    expect(notice.subject).toBe('You already have an account');
    // The owner's password is unchanged.
    expect((await login(email, 'Patient-Pass-1')).status).toBe(200);
  });

  it('unknown email and wrong password fail alike; resend answers alike', async () => {
    const { email } = await registeredPatient('known@example.org');
    const unknown = await login('nobody@example.org', 'Whatever-123');
    const wrong = await login(email, 'Whatever-123');
    expect(unknown.status).toBe(400);
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.body).toEqual(unknown.body);
    expect(unknown.body).toEqual({ error: 'invalid_grant', error_description: 'invalid email or password' });

    const resendUnknown = await server.request.post('/auth/resend-verification').send({ email: 'nobody@example.org' });
    const resendKnown = await server.request.post('/auth/resend-verification').send({ email });
    expect(resendKnown.status).toBe(202);
    expect(resendKnown.body).toEqual(resendUnknown.body);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mailbox.to('nobody@example.org')).toEqual([]);
    expect(mailbox.to(email)).toHaveLength(1); // verified: no new link
  });
});

describe('lockout', () => {
  it(`locks an email after consecutive failures, known or not, with Retry-After`, async () => {
    const { email, password } = await registeredPatient('guessed@example.org');
    for (let i = 0; i < 3; i++) expect((await login(email, `Wrong-Pass-${i}`)).status).toBe(400);
    const locked = await login(email, password);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('invalid_grant');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // An address without an account locks the same way, so lockout tells nothing either.
    for (let i = 0; i < 3; i++) expect((await login('ghost@example.org', `Wrong-Pass-${i}`)).status).toBe(400);
    const ghost = await login('ghost@example.org', 'Wrong-Pass-9');
    expect(ghost.status).toBe(429);
    expect(ghost.body).toEqual(locked.body);
  });

  it('a successful sign-in resets the count', async () => {
    const { email, password } = await registeredPatient('forgetful@example.org');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expect((await login(email, 'Wrong-Pass-1')).status).toBe(400);
      expect((await login(email, password)).status).toBe(200);
    }
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the limit per IP, counted in Redis under the prefix', async () => {
    const limited = await startTestServer({ authEnabled: true, authRateLimitPerMinute: 5 });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await limited.request.post('/auth/resend-verification').send({ email: 'someone@example.org' });
        expect(res.status).toBe(202);
        expect(res.headers['ratelimit-remaining']).toBe(String(4 - i));
      }
      const refused = await limited.request.post('/auth/login').send({ email: 'someone@example.org', password: 'Whatever-123' });
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe('too_many_requests');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      const keys = await limited.container.redis.keys(`${limited.config.redisPrefix}ratelimit:auth:*`);
      expect(keys).toHaveLength(1);
      // Another process of the same deployment shares the count.
      const other = await startTestServer({ authEnabled: true, authRateLimitPerMinute: 5, redisPrefix: limited.config.redisPrefix, mongodbDatabase: limited.config.mongodbDatabase });
      try {
        expect((await other.request.get('/auth/verify-email?token=x')).status).toBe(429);
      } finally {
        await other.container.close();
      }
    } finally {
      await limited.close();
    }
  });
});

describe('first admin', () => {
  it('uses ADMIN_EMAIL/ADMIN_PASSWORD when set', async () => {
    const res = await login(ADMIN.email, ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('user/*.cruds offline_access');
    expect(claimsOf((res.body as TokenBody).access_token)).toMatchObject({ role: 'admin', client_id: 'baobab-first-party' });
  });

  it('otherwise logs a random password once, also when several processes start together', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const first = await startTestServer({ authEnabled: true, adminEmail: 'boss@clinic.test' }, { logger });
    try {
      // Two more processes on the same database at once: still one admin, one password logged.
      const shared = { authEnabled: true, adminEmail: 'boss@clinic.test', mongodbDatabase: first.config.mongodbDatabase, redisPrefix: first.config.redisPrefix };
      const others = await Promise.all([startTestServer(shared, { logger }), startTestServer(shared, { logger })]);
      for (const other of others) await other.container.close();
      const announcements = lines.map((l) => JSON.parse(l) as { level: number; msg: string; password?: string }).filter((l) => l.msg.includes('FIRST START'));
      expect(announcements).toHaveLength(1);
      expect(announcements[0]!.level).toBe(40); // warn
      const password = announcements[0]!.password!;
      expect(announcements[0]!.msg).toContain(password);
      const res = await first.request.post('/auth/login').send({ email: 'boss@clinic.test', password });
      expect(res.status).toBe(200);
      expect(claimsOf((res.body as TokenBody).access_token).role).toBe('admin');
      const admins = await first.container.mongoClient.db(first.config.mongodbDatabase).collection('auth_accounts').countDocuments({ role: 'admin' });
      expect(admins).toBe(1);
    } finally {
      await first.close();
    }
  });
});

describe('/admin/users', () => {
  let practitioner: string;
  let patientRef: string;

  beforeAll(async () => {
    const service = server.container.fhir.service;
    practitioner = `Practitioner/${(await service.create('Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Mensah' }] })).id}`;
    patientRef = `Patient/${(await service.create('Patient', { resourceType: 'Patient', name: [{ family: 'Dlamini' }] })).id}`;
  });

  it('needs an admin token from first-party sign-in: 401 without, 403 for others', async () => {
    const body = { email: 'doc.one@clinic.test', password: 'Doctor-Pass-1', role: 'doctor', fhirUser: practitioner };
    const none = await server.request.post('/admin/users').send(body);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer realm="baobab"/);
    expect((await server.request.get('/admin/users').set('Authorization', 'Bearer not-a-token')).status).toBe(401);

    const patient = await registeredPatient('not.an.admin@example.org');
    const patientToken = ((await login(patient.email, patient.password)).body as TokenBody).access_token;
    const forbidden = await server.request.post('/admin/users').set('Authorization', `Bearer ${patientToken}`).send(body);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toBe('forbidden');
    expect((await server.request.get('/admin/users').set('Authorization', `Bearer ${patientToken}`)).status).toBe(403);

    // An admin's token held by a third-party app cannot manage accounts.
    const adminAccount = (await server.container.accounts.list({ email: ADMIN.email }, 1))[0]!;
    const thirdParty = server.container.auth.tokens.issue({ subject: adminAccount.id, kind: 'user', role: 'admin', clientId: 'some-smart-app', scope: 'user/*.rs' });
    expect((await server.request.post('/admin/users').set('Authorization', `Bearer ${thirdParty.accessToken}`).send(body)).status).toBe(403);

    const created = await server.request.post('/admin/users').set('Authorization', `Bearer ${await adminToken()}`).send(body);
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/admin/users/${created.body.id}`);
    expect(created.body).toMatchObject({ email: 'doc.one@clinic.test', role: 'doctor', fhirUser: practitioner, active: true });
    expect(JSON.stringify(created.body)).not.toMatch(/password|scrypt/i);

    const doctor = await login('doc.one@clinic.test', 'Doctor-Pass-1');
    expect(doctor.status).toBe(200);
    expect(doctor.body.scope).toBe('fhirUser user/*.cruds offline_access');
    expect(claimsOf((doctor.body as TokenBody).access_token)).toMatchObject({ role: 'doctor', fhirUser: practitioner });
    expect(doctor.body.patient).toBeUndefined();
  });

  it('validates role and fhirUser', async () => {
    const token = await adminToken();
    const post = (body: object) => server.request.post('/admin/users').set('Authorization', `Bearer ${token}`).send(body);
    const base = { email: 'someone.new@clinic.test', password: 'Staff-Pass-12' };
    const refused: Array<[string, object, number]> = [
      ['unknown role', { ...base, role: 'superuser', fhirUser: practitioner }, 400],
      ['no role', { ...base, fhirUser: practitioner }, 400],
      ['fhirUser that does not exist', { ...base, role: 'doctor', fhirUser: 'Practitioner/does-not-exist' }, 400],
      ['fhirUser of another type', { ...base, role: 'doctor', fhirUser: 'Organization/1' }, 400],
      ['fhirUser not a reference', { ...base, role: 'doctor', fhirUser: 'http://elsewhere/Practitioner/1' }, 400],
      ['fhirUser that does not fit the role', { ...base, role: 'patient', fhirUser: practitioner }, 400],
      ['doctor without fhirUser', { ...base, role: 'doctor' }, 400],
      ['both password and invite', { ...base, role: 'clerk', invite: true }, 400],
      ['neither password nor invite', { email: base.email, role: 'clerk' }, 400],
      ['weak password', { ...base, password: 'short', role: 'clerk' }, 400],
      ['unknown field', { ...base, role: 'clerk', active: false }, 400],
      ['taken email', { ...base, email: ADMIN.email, role: 'clerk' }, 409],
    ];
    for (const [name, body, status] of refused) {
      const res = await post(body);
      expect(res.status, name).toBe(status);
      expect(typeof res.body.error, name).toBe('string');
    }
    const patient = await post({ email: 'linked.patient@example.org', password: 'Patient-Pass-1', role: 'patient', fhirUser: patientRef });
    expect(patient.status).toBe(201);
    const signedIn = (await login('linked.patient@example.org', 'Patient-Pass-1')).body as TokenBody;
    expect(signedIn.patient).toBe(patientRef.split('/')[1]);
    const clerk = await post({ email: 'front.desk@clinic.test', password: 'Clerk-Pass-12', role: 'clerk' });
    expect(clerk.status).toBe(201);
  });

  it('invites by email: the link sets the password once', async () => {
    const token = await adminToken();
    const invited = await server.request.post('/admin/users').set('Authorization', `Bearer ${token}`).send({ email: 'nurse.joy@clinic.test', invite: true, role: 'nurse', fhirUser: practitioner, name: 'Joy' });
    expect(invited.status).toBe(201);
    expect((await login('nurse.joy@clinic.test', 'Nurse-Pass-123')).status).toBe(400);
    const mail = await mailbox.waitFor('nurse.joy@clinic.test');
    expect(mail.subject).toBe('You have been invited to Baobab');
    const link = Mailbox.link(mail, '/auth/set-password');
    const page = await server.request.get(pathOf(link));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const inviteToken = link.searchParams.get('token')!;
    expect((await server.request.post('/auth/set-password').send({ token: inviteToken, password: 'weak' })).status).toBe(400);
    const set = await server.request.post('/auth/set-password').type('form').send({ token: inviteToken, password: 'Nurse-Pass-123' });
    expect(set.status).toBe(200);
    expect((await server.request.post('/auth/set-password').send({ token: inviteToken, password: 'Other-Pass-123' })).status).toBe(400);
    const nurse = await login('nurse.joy@clinic.test', 'Nurse-Pass-123');
    expect(nurse.status).toBe(200);
    expect(claimsOf((nurse.body as TokenBody).access_token)).toMatchObject({ role: 'nurse', fhirUser: practitioner });
  });

  it('finds accounts without ever returning password hashes', async () => {
    const token = await adminToken();
    const found = await server.request.get('/admin/users?email=DOC.ONE@clinic.test').set('Authorization', `Bearer ${token}`);
    expect(found.status).toBe(200);
    expect(found.body.users).toHaveLength(1);
    expect(Object.keys(found.body.users[0]).sort()).toEqual(['active', 'createdAt', 'email', 'emailVerified', 'fhirUser', 'id', 'role']);
    const one = await server.request.get(`/admin/users/${found.body.users[0].id}`).set('Authorization', `Bearer ${token}`);
    expect(one.status).toBe(200);
    expect(one.body.email).toBe('doc.one@clinic.test');
    const all = await server.request.get('/admin/users').set('Authorization', `Bearer ${token}`);
    expect(all.body.users.length).toBeGreaterThan(5);
    expect(JSON.stringify(all.body)).not.toMatch(/password|scrypt/i);
    const doctors = await server.request.get('/admin/users?role=doctor').set('Authorization', `Bearer ${token}`);
    expect(doctors.body.users.map((u: { email: string }) => u.email)).toEqual(['doc.one@clinic.test']);
    expect((await server.request.get('/admin/users?role=king').set('Authorization', `Bearer ${token}`)).status).toBe(400);
    expect((await server.request.get('/admin/users?_count=0').set('Authorization', `Bearer ${token}`)).status).toBe(400);
    expect((await server.request.get('/admin/users/unknown-id').set('Authorization', `Bearer ${token}`)).status).toBe(404);
    // In the database: scrypt hashes only.
    const docs = await server.container.mongoClient.db(server.config.mongodbDatabase).collection('auth_accounts').find({ passwordHash: { $exists: true } }).toArray();
    expect(docs.length).toBeGreaterThan(3);
    for (const doc of docs) expect(doc.passwordHash).toMatch(/^scrypt\$15\$8\$1\$/);
  });

  it('still needs an admin token when AUTH_ENABLED is off', async () => {
    const open = await startTestServer({ authEnabled: false });
    try {
      expect((await open.request.get('/admin/users')).status).toBe(401);
      expect((await open.request.post('/admin/users').send({ email: 'a@b.org', password: 'Long-Enough-1', role: 'admin' })).status).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe('change-password', () => {
  it('needs the current password and the bearer token', async () => {
    const { email, password } = await registeredPatient('changer@example.org');
    const token = ((await login(email, password)).body as TokenBody).access_token;
    const change = (body: object, auth = true) => {
      const req = server.request.post('/auth/change-password');
      return (auth ? req.set('Authorization', `Bearer ${token}`) : req).send(body);
    };
    expect((await change({ password, new_password: 'Brand-New-Pass-1' }, false)).status).toBe(401);
    expect((await change({ password: 'Not-The-One-1', new_password: 'Brand-New-Pass-1' })).status).toBe(400);
    expect((await change({ password, new_password: 'weak' })).status).toBe(400);
    expect((await change({ password, new_password: 'Brand-New-Pass-1' })).status).toBe(204);
    expect((await login(email, password)).status).toBe(400);
    expect((await login(email, 'Brand-New-Pass-1')).status).toBe(200);
  });
});

describe('without Redis', () => {
  it('starts, sends emails in-process and lets requests through the rate limit', async () => {
    const outbox = new Mailbox();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const alone = await startTestServer({ authEnabled: true, redisUrl: 'redis://127.0.0.1:1', authRateLimitPerMinute: 1 }, { mailTransport: outbox, logger });
    try {
      expect(lines.join('')).toContain('Redis is not reachable');
      for (let i = 0; i < 3; i++) expect((await alone.request.post('/auth/resend-verification').send({ email: 'x@example.org' })).status).toBe(202);
      await alone.request.post('/auth/register').send({ email: 'offline@example.org', password: 'Offline-Pass-1' }).expect(202);
      const link = Mailbox.link(await outbox.waitFor('offline@example.org'), '/auth/verify-email');
      expect((await alone.request.get(pathOf(link))).status).toBe(200);
      expect((await alone.request.post('/auth/login').send({ email: 'offline@example.org', password: 'Offline-Pass-1' })).status).toBe(200);
    } finally {
      await alone.close();
    }
  });
});
