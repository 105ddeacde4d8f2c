/**
 * The real process entry (src/main.ts): start, serve the seeded conformance resources, and shut
 * down gracefully on SIGTERM, finishing a request that is in flight.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { deleteKeys } from '../../src/jobs/redis';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let child: ChildProcess;
let port: number;
let output = '';
const database = `p_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
let exited: Promise<number | null>;

beforeAll(async () => {
  port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, BASE_URL: `http://localhost:${port}/fhir`, PORT: String(port), MONGODB_URL: inject('mongoUrl'), MONGODB_DATABASE: database, LOG_LEVEL: 'info', SEED_DEFINITIONS: 'true', AUTH_ENABLED: 'false', REDIS_PREFIX: `test:${database}:` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!output.includes('listening')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  const client = await MongoClient.connect(inject('mongoUrl'));
  await client.db(database).dropDatabase();
  await client.close();
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  await deleteKeys(redis, `test:${database}:`).catch(() => undefined);
  redis.disconnect();
});

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('the server process', () => {
  it('logs the engine, transaction support and its base URL', () => {
    expect(output).toContain('using MongoDB at MONGODB_URL');
    expect(output).toContain('no multi-document transactions');
    expect(output).toContain(`http://localhost:${port}/fhir`);
  });

  it('serves the R4 definitions it runs on as its own conformance resources', async () => {
    const sd = await get('/fhir/StructureDefinition/Patient');
    expect(sd.status).toBe(200);
    expect(sd.body.url).toBe('http://hl7.org/fhir/StructureDefinition/Patient');
    expect(JSON.stringify(sd.body)).not.toContain('Meta.project');
    const sp = await get('/fhir/SearchParameter/individual-family');
    expect(sp.status).toBe(200);
    expect(sp.body.code).toBe('family');
    expect((await get('/fhir/CompartmentDefinition/patient')).status).toBe(200);
    expect((await get('/fhir/OperationDefinition/Resource-meta')).status).toBe(200);
    expect((await get('/fhir/SearchParameter/DetectedIssue-status')).status).toBe(404);
    expect((await get('/fhir/StructureDefinition/SubscriptionStatus')).status).toBe(404);
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const body = Buffer.alloc(200_000, 65);
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/fhir/Binary', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 1000));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.subarray(1000)), 300);
      }, 300);
    });
    const result = await response;
    expect(result.status).toBe(201);
    expect(JSON.parse(result.text).resourceType).toBe('Binary');
    expect(await exited).toBe(0);
    expect(output).toContain('shutting down');
    expect(output).toContain('stopped');
    // Access log: one line per request, carrying its request id.
    expect(output).toMatch(/"requestId":"[0-9a-f-]{36}","method":"GET","url":"\/fhir\/StructureDefinition\/Patient","status":200,"ms":[\d.]+,"msg":"request"/);
  });
});
