/**
 * Transactions send their creates in bulk: the MongoDB commands of a transaction Bundle are
 * bounded by the number of resource types in it, not by its number of entries; and a bulk
 * insert that fails part-way undoes only what it wrote.
 */
import { randomUUID } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MongoFhirStore } from '../../src/store/mongo/mongo-store';
import { StoreConflictError } from '../../src/store/fhir-store';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';
import { unpackBody } from '../../src/store/mongo/documents';
import type { StoredBody } from '../../src/store/mongo/documents';

const commands: string[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { mongoOptions: { monitorCommands: true } });
  server.container.mongoClient.on('commandStarted', (event: CommandStartedEvent) => {
    if (!['hello', 'ismaster', 'isMaster', 'ping', 'endSessions'].includes(event.commandName)) commands.push(event.commandName);
  });
});
afterAll(async () => {
  await server?.close();
});

/** A transaction of `patients` Patients, each with an Observation referring to it. */
function bundle(patients: number) {
  const entry = [];
  for (let n = 0; n < patients; n++) {
    const fullUrl = `urn:uuid:${randomUUID()}`;
    entry.push({ fullUrl, resource: { resourceType: 'Patient', active: true }, request: { method: 'POST', url: 'Patient' } });
    entry.push({
      resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: fullUrl } },
      request: { method: 'POST', url: 'Observation' },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

async function commandsFor(patients: number): Promise<string[]> {
  commands.length = 0;
  const res = await server.request.post('/fhir').set('Content-Type', FHIR_JSON).send(bundle(patients));
  expect(res.status).toBe(200);
  expect(res.body.entry).toHaveLength(2 * patients);
  return [...commands];
}

describe('bulk writes in transactions', () => {
  it('uses the same commands for 10 and 200 entries: one insert per type plus one for history', async () => {
    const small = await commandsFor(5);
    const large = await commandsFor(100);
    expect(large).toEqual(small);
    // Journal path (this engine has no transactions): open, record steps, 2 types + history, close.
    expect(large.filter((name) => name === 'insert')).toHaveLength(1 + 3);
    expect(large.length).toBeLessThanOrEqual(6);
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    expect(await db.collection('Observation').countDocuments()).toBe(105);
    expect(await db.collection('history').countDocuments({ t: 'Patient' })).toBe(105);
  });

  it('a failed bulk insert undoes what it wrote and leaves the existing resource alone', async () => {
    const client = await MongoClient.connect(inject('mongoUrl'));
    const database = `tb_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const store = new MongoFhirStore(client, client.db(database), { journalRecoveryAgeMs: 60_000 });
    try {
      await store.init(['Patient']);
      await store.create({ resourceType: 'Patient', id: 'taken', gender: 'female' });
      const attempt = store.transaction(async () => {
        await store.create({ resourceType: 'Patient', id: 'fresh-1', gender: 'male' });
        await store.create({ resourceType: 'Patient', id: 'taken', gender: 'male' });
        await store.create({ resourceType: 'Patient', id: 'fresh-2', gender: 'male' });
      });
      await expect(attempt).rejects.toBeInstanceOf(StoreConflictError);
      const db = client.db(database);
      const current = await db.collection('Patient').find().toArray();
      expect(current).toMatchObject([{ _id: 'taken', vid: 1 }]);
      expect(unpackBody(current[0] as StoredBody)).toMatchObject({ gender: 'female' });
      expect(await db.collection('history').find().toArray()).toMatchObject([{ _id: 'Patient/taken/1' }]);
      expect(await db.collection('journal').countDocuments()).toBe(0);
    } finally {
      await client.db(database).dropDatabase();
      await client.close();
    }
  });

  it('a read inside the group sees the creates made before it', async () => {
    const client = await MongoClient.connect(inject('mongoUrl'));
    const database = `tb_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const store = new MongoFhirStore(client, client.db(database));
    try {
      await store.init(['Patient']);
      const seen = await store.transaction(async () => {
        const search = { tok: [{ p: 'identifier', s: 'urn:x', c: '1' }] };
        await store.create({ resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:x', value: '1' }] }, { index: { search } });
        const identifier = { index: 'tok' as const, p: 'identifier', values: [{ s: 'urn:x', c: '1' }] };
        return { read: await store.read('Patient', 'p1'), found: await store.matchIds('Patient', [identifier], 2) };
      });
      expect(seen.read?.versionId).toBe(1);
      expect(seen.found).toEqual(['p1']);
    } finally {
      await client.db(database).dropDatabase();
      await client.close();
    }
  });
});
