/**
 * Audit without losing events (issue 5 §5): the server is killed with SIGKILL right after answering
 * a burst of reads, before its 100 ms batch could reach the database; after a restart every read
 * has its AuditEvent, exactly once, taken from the journal in Redis.
 */
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { freePort, startServerProcess } from '../helpers/server-process';

const database = `a_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
const redisPrefix = `test:${randomUUID()}:`;
const READS = 300;
const children: ChildProcess[] = [];
const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

async function startServer(port: number): Promise<ChildProcess> {
  const child = await startServerProcess(port, database, {
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: 'error',
    AUTH_ENABLED: 'true',
    JWT_PRIVATE_KEY: key,
    ADMIN_PASSWORD: 'crash-test-Password-1',
    // Nothing reaches the database before the kill: what is there after the restart came from the journal.
    AUDIT_FLUSH_MS: '600000',
  });
  children.push(child);
  return child;
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  const client = await MongoClient.connect(inject('mongoUrl'));
  await client.db(database).dropDatabase();
  await client.close();
  const redis = new Redis();
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('AuditEvents survive a crash', () => {
  it('every read answered before SIGKILL has its AuditEvent after the restart', async () => {
    const port = await freePort();
    const base = `http://localhost:${port}/fhir`;
    const token = jwt.sign({ sub: 'crash', kind: 'user', role: 'admin', client_id: 'crash-test', scope: 'user/*.cruds', jti: randomUUID() }, key, {
      algorithm: 'RS256',
      issuer: base,
      audience: base,
      expiresIn: 3600,
    });
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/fhir+json' };
    const first = await startServer(port);
    const put = await fetch(`http://127.0.0.1:${port}/fhir/Patient/crash-1`, { method: 'PUT', headers, body: JSON.stringify({ resourceType: 'Patient', id: 'crash-1' }) });
    expect(put.status).toBe(201);
    const statuses = await Promise.all(
      Array.from({ length: READS }, () => fetch(`http://127.0.0.1:${port}/fhir/Patient/crash-1`, { headers }).then(async (r) => (await r.arrayBuffer(), r.status))),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    const client = await MongoClient.connect(inject('mongoUrl'));
    const events = client.db(database).collection('AuditEvent');
    const beforeRestart = await events.countDocuments({});
    await startServer(port);
    const deadline = Date.now() + 20_000;
    let stored = 0;
    while (Date.now() < deadline) {
      stored = await events.countDocuments({});
      if (stored >= READS + 1) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await client.close();
    // The PUT and every read: each exactly once (the restart stores what the journal kept).
    expect(stored).toBe(READS + 1);
    expect(beforeRestart).toBe(0);
    const redis = new Redis();
    expect(await redis.hlen(`${redisPrefix}audit:journal`)).toBe(0);
    redis.disconnect();
  }, 120_000);
});
