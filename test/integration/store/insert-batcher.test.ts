import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { InsertBatcher, InsertError } from '../../../src/store/mongo/insert-batcher';

let client: MongoClient;
const database = `ib_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
const commands: string[] = [];

beforeAll(async () => {
  client = new MongoClient(inject('mongoUrl'), { monitorCommands: true });
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'insert') commands.push(`${event.command.insert}:${event.command.documents.length}`);
  });
  await client.connect();
});
afterAll(async () => {
  await client.db(database).dropDatabase();
  await client.close();
});

// Without size estimates a batch goes out through insertMany; with small ones as one insert
// command; with estimates that do not fit one command's budget (4 MB) together, as several.
describe.each([
  ['insertMany', undefined, '', [':5']],
  ['one insert command', 100, 'k', [':5']],
  ['insert commands cut by the estimates', 1.5 * 1024 * 1024, 'l', [':2', ':2', ':1']],
])('InsertBatcher (%s)', (_path, bytes, suffix, expected) => {
  it('writes concurrent inserts with as few inserts as their sizes allow', async () => {
    const collection = client.db(database).collection<{ _id: string; n: number }>(`A${suffix}`);
    const batcher = new InsertBatcher(collection, client.db(database));
    const insertMany = vi.spyOn(collection, 'insertMany');
    commands.length = 0;
    await Promise.all(Array.from({ length: 5 }, (_, n) => batcher.insert({ _id: `a${n}`, n }, bytes)));
    // Parts go out concurrently: their commands may start in any order.
    expect([...commands].sort()).toEqual(expected.map((count) => `A${suffix}${count}`).sort());
    expect(insertMany).toHaveBeenCalledTimes(bytes === undefined ? 1 : 0);
    expect(await collection.countDocuments()).toBe(5);
  });

  it('rejects only the duplicate in a batch, with the server code', async () => {
    const collection = client.db(database).collection<{ _id: string; n: number }>(`B${suffix}`);
    await collection.insertOne({ _id: 'taken', n: 0 });
    const batcher = new InsertBatcher(collection, client.db(database));
    const results = await Promise.allSettled([
      batcher.insert({ _id: 'b1', n: 1 }, bytes),
      batcher.insert({ _id: 'taken', n: 2 }, bytes),
      batcher.insert({ _id: 'b3', n: 3 }, bytes),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(InsertError);
    expect(reason.code).toBe(11000);
    expect((await collection.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['b1', 'b3', 'taken']);
    expect((await collection.findOne({ _id: 'taken' }))?.n).toBe(0);
  });
});

describe('InsertBatcher', () => {
  it('uses insertOne for a lone insert and passes its error through', async () => {
    const collection = client.db(database).collection<{ _id: string; n: number }>('C');
    const batcher = new InsertBatcher(collection, client.db(database));
    commands.length = 0;
    await batcher.insert({ _id: 'c1', n: 1 });
    await expect(batcher.insert({ _id: 'c1', n: 2 })).rejects.toMatchObject({ code: 11000 });
    expect(commands).toEqual(['C:1', 'C:1']);
  });
});
