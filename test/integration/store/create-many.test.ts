/**
 * createMany, the bulk path of the server's own records (AuditEvents): one insert for the
 * current versions and one for their history whatever their number, each resource's outcome its
 * own, the caller's JSON stored as it is, and never part of the transaction running around it.
 */
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { StoreConflictError } from '../../../src/store/fhir-store';
import type { TestServer } from '../../helpers/server';
import { startTestServer } from '../../helpers/server';

let server: TestServer;
const commands: string[] = [];
beforeAll(async () => {
  server = await startTestServer({}, { mongoOptions: { monitorCommands: true } });
  server.container.mongoClient.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'insert') commands.push(`insert ${String(event.command.insert)} ${(event.command.documents as unknown[]).length}`);
  });
});
afterAll(async () => {
  await server?.close();
});

function event(id: string, outcome: AuditEvent['outcome'] = '0'): AuditEvent & { id: string } {
  return {
    resourceType: 'AuditEvent',
    id,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    recorded: '2026-11-25T10:00:00.000Z',
    outcome,
    agent: [{ requestor: true, who: { display: 'test' } }],
    source: { observer: { display: 'test' } },
  };
}

describe('createMany', () => {
  it('stores a batch in one insert plus one for history; an id that exists fails alone', async () => {
    const store = server.container.fhir.service;
    await store.createTrusted([{ resource: event('cm-existing') }]);
    commands.length = 0;

    const batch = [event('cm-1'), event('cm-existing', '4'), event('cm-2'), event('cm-3')];
    const results = await store.createTrusted(batch.map((resource) => ({ resource, json: JSON.stringify(resource) })));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ status: 412 });
    expect(commands).toEqual(['insert AuditEvent 4', 'insert history 3']);
    const first = results[0] as PromiseFulfilledResult<{ versionId: number; resource?: AuditEvent }>;
    expect(first.value.versionId).toBe(1);
    expect(first.value.resource?.meta?.versionId).toBe('1');

    // Stored and searchable like any other create; the one that existed is unchanged.
    const read = await server.request.get('/fhir/AuditEvent/cm-2');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ ...event('cm-2'), meta: { versionId: '1' } });
    expect((await server.request.get('/fhir/AuditEvent/cm-existing')).body.outcome).toBe('0');
    expect((await server.request.get('/fhir/AuditEvent/cm-3/_history/1')).status).toBe(200);
    const found = await server.request.get('/fhir/AuditEvent?_id=cm-1,cm-2,cm-3,cm-existing&outcome=0');
    expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual(['cm-1', 'cm-2', 'cm-3', 'cm-existing']);
    const doc = await server.container.mongoClient.db(server.config.mongodbDatabase).collection('AuditEvent').findOne({ _id: 'cm-1' as never });
    expect(doc?.resource).toBe(JSON.stringify(event('cm-1')));
  });

  it('the store reports an existing id as a conflict', async () => {
    const results = await server.container.store.createMany([{ resource: event('cm-existing') }]);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflictError);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ reason: 'exists' });
  });

  it('is not part of a transaction in progress: a rolled-back transaction keeps what it stored', async () => {
    const store = server.container.store;
    await expect(
      store.transaction(async () => {
        await store.create({ resourceType: 'Basic', id: 'cm-rolled-back', code: { text: 'x' } });
        await store.createMany([{ resource: event('cm-in-transaction') }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await store.read('Basic', 'cm-rolled-back'))?.deleted ?? 'absent').toBe('absent');
    expect((await store.read('AuditEvent', 'cm-in-transaction'))?.versionId).toBe(1);
  });
});
