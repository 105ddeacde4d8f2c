/**
 * Every query the store sends is served by an index it declares (src/store/mongo/indexes.ts):
 * its equality fields form a prefix of the index key, followed by its sort (or range) field.
 * The test engine has no `explain`, so the plan is checked from the commands the driver sends.
 */
import { MongoClient } from 'mongodb';
import type { CommandStartedEvent, Document } from 'mongodb';
import { MongoFhirStore } from '../../../src/store/mongo/mongo-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINED_INDEXES, CURRENT_INDEXES, HISTORY_INDEXES } from '../../../src/store/mongo/indexes';
import type { IndexSpec } from '../../../src/store/mongo/indexes';
import type { TestServer } from '../../helpers/server';
import { startTestServer } from '../../helpers/server';

let server: TestServer;
/** Every collection has it without declaring it. */
const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 } };
const seen: Array<{ collection: string; filter: Document; sort?: Document }> = [];

/** The driver sends `sort` as a Map. */
function plain(sort: unknown): Document | undefined {
  return sort instanceof Map ? Object.fromEntries(sort) : (sort as Document | undefined);
}

function record(event: CommandStartedEvent): void {
  const command = event.command;
  if (event.commandName === 'find') seen.push({ collection: command.find, filter: command.filter ?? {}, sort: plain(command.sort) });
  if (event.commandName === 'aggregate') {
    const stages = command.pipeline as Document[];
    seen.push({ collection: command.aggregate, filter: stages.find((s) => '$match' in s)?.$match ?? {}, sort: plain(stages.find((s) => '$sort' in s)?.$sort) });
  }
  if (event.commandName === 'findAndModify') seen.push({ collection: command.findAndModify, filter: command.query });
  if (event.commandName === 'update') for (const u of command.updates) seen.push({ collection: command.update, filter: u.q });
}

function fieldsOf(filter: Document, equality: Set<string>, ranges: Set<string>): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      for (const part of value as Document[]) fieldsOf(part, equality, ranges);
    } else if (value !== null && typeof value === 'object' && !(value instanceof Date) && Object.keys(value).some((k) => k.startsWith('$'))) {
      if ('$in' in value) equality.add(key);
      else ranges.add(key);
    } else {
      equality.add(key);
    }
  }
}

/** Whether the index's key starts with the equality fields, then the first sort/range field. */
function served(index: IndexSpec, filter: Document, sort: Document | undefined): boolean {
  const keys = Object.keys(index.key);
  const equality = new Set<string>();
  const ranges = new Set<string>();
  fieldsOf(filter, equality, ranges);
  for (const field of ranges) equality.delete(field);
  const prefix = keys.slice(0, equality.size);
  if (!prefix.every((k) => equality.has(k))) return false;
  const next = sort ? Object.keys(sort)[0] : [...ranges][0];
  return next === undefined || keys[equality.size] === next || equality.has(next);
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('index usage', () => {
  it('flags a query shape no index serves', () => {
    expect(served(HISTORY_INDEXES[2]!, { t: 'Patient', i: 'x' }, { ts: -1 })).toBe(true);
    expect(served(HISTORY_INDEXES[2]!, { t: 'Patient', i: 'x' }, { v: -1 })).toBe(false);
    expect(served({ name: 'versions', key: { t: 1, i: 1, v: -1 } }, { t: 'Patient', i: 'x' }, { ts: -1 })).toBe(false);
    expect(served(HISTORY_INDEXES[2]!, { i: 'x' }, undefined)).toBe(false);
    expect(served(HISTORY_INDEXES[1]!, { t: 'Patient' }, { v: 1 })).toBe(false);
  });

  it('creates the declared indexes', async () => {
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    const history = (await db.collection('history').listIndexes().toArray()).map((i) => i.name);
    for (const spec of HISTORY_INDEXES) expect(history).toContain(spec.name);
    const patient = (await db.collection('Patient').listIndexes().toArray()).map((i) => i.name);
    for (const spec of CURRENT_INDEXES) expect(patient).toContain(spec.name);
    const contained = (await db.collection('contained').listIndexes().toArray()).map((i) => i.name);
    for (const spec of CONTAINED_INDEXES) expect(contained).toContain(spec.name);
  });

  it('serves every read, write, history and $meta query from an index', async () => {
    // The store on a client of our own with command monitoring, over the server's database.
    const client = new MongoClient(server.config.mongodbUrl!, { monitorCommands: true, ignoreUndefined: true });
    client.on('commandStarted', record);
    await client.connect();
    const store = new MongoFhirStore(client, client.db(server.config.mongodbDatabase));
    try {
      const created = await store.create({ resourceType: 'Patient', id: 'idx-1', active: true });
      await store.update({ resourceType: 'Patient', id: 'idx-1', active: false }, { ifMatch: created.versionId });
      await store.read('Patient', 'idx-1');
      await Promise.all([store.read('Patient', 'idx-1'), store.read('Patient', 'idx-2')]);
      await store.vread('Patient', 'idx-1', 1);
      await store.changeMeta('Patient', 'idx-1', 2, (meta) => ({ ...meta, tag: [{ code: 'x' }] }));
      await store.update({ resourceType: 'Patient', id: 'idx-1' }, { ifMatch: 99 }).catch(() => undefined);
      await store.delete('Patient', 'idx-1');
      const since = new Date(Date.now() - 60_000);
      const page = await store.history({ count: 1 });
      await store.history({ count: 1, after: page.next });
      await store.history({ type: 'Patient', count: 5, since });
      await store.history({ type: 'Patient', id: 'idx-1', count: 5 });
      await store.history({ type: 'Patient', count: 5, at: { start: since, end: new Date() } });
      await store.history({ count: 5, at: { start: since, end: new Date() } });
      await store.matchIds('Patient', [{ index: 'id', ids: ['idx-1', 'idx-2'] }], 2);
    } finally {
      await client.close();
    }
    expect(seen.length).toBeGreaterThan(10);
    const unserved = seen.filter(({ collection, filter, sort }) => {
      if (Object.keys(filter).length === 1 && '_id' in filter) return false; // the _id index
      if ('_id' in filter && typeof filter._id !== 'object') return false; // _id point lookups with extra conditions
      const indexes = [...(collection === 'history' ? HISTORY_INDEXES : CURRENT_INDEXES), ID_INDEX];
      return !indexes.some((index) => served(index, filter, sort));
    });
    expect(unserved).toEqual([]);
  });
});
