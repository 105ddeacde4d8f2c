/**
 * kill -9 of the server in the middle of a large transaction, with the database in its own
 * process: after a restart the transaction is there entirely or not at all.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { freePort, startServerProcess } from '../helpers/server-process';

const database = `k_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
const SYSTEM = 'urn:test:crash';
const SIZE = 1500;
const children: ChildProcess[] = [];

async function startServer(port: number): Promise<ChildProcess> {
  const child = await startServerProcess(port, database, {
    LOG_LEVEL: 'warn',
    AUTH_ENABLED: 'false',
    JOURNAL_RECOVERY_AGE_MS: '0',
    MAX_BODY_SIZE: '32mb',
    MAX_BUNDLE_ENTRIES: String(SIZE),
  });
  children.push(child);
  return child;
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  const client = await MongoClient.connect(inject('mongoUrl'));
  await client.db(database).dropDatabase();
  await client.close();
});

describe('crash during a transaction', () => {
  it('leaves all or none of it after a restart', async () => {
    const port = await freePort();
    const first = await startServer(port);
    const client = await MongoClient.connect(inject('mongoUrl'));
    const patients = client.db(database).collection('Patient');
    // Half creates (sent in bulk when the first PUT needs the store settled), half
    // update-as-creates (written one by one): the kill lands among the PUTs, after the bulk.
    const entry = Array.from({ length: SIZE }, (_, n) =>
      n < SIZE / 2
        ? { resource: { resourceType: 'Patient', identifier: [{ system: SYSTEM, value: String(n) }] }, request: { method: 'POST', url: 'Patient' } }
        : {
            resource: { resourceType: 'Patient', id: `crash-${n}`, identifier: [{ system: SYSTEM, value: String(n) }] },
            request: { method: 'PUT', url: `Patient/crash-${n}` },
          },
    );
    const request = fetch(`http://127.0.0.1:${port}/fhir`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }),
    }).catch(() => undefined);
    // Kill the server once part of the transaction is written.
    const deadline = Date.now() + 60_000;
    let written = 0;
    while (written < SIZE / 2 + SIZE / 10 && Date.now() < deadline) {
      written = await patients.countDocuments({ deleted: false });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    await request;
    const midway = await patients.countDocuments({ deleted: false });
    expect(midway).toBeGreaterThan(0);
    expect(midway).toBeLessThan(SIZE);

    await startServer(port);
    const after = await patients.countDocuments({ deleted: false });
    const history = await client.db(database).collection('history').countDocuments({ t: 'Patient' });
    await client.close();
    expect([0, SIZE]).toContain(after);
    expect(history).toBe(after);
  }, 180_000);
});
