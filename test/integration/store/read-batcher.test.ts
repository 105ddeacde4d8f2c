import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ReadBatcher } from '../../../src/store/mongo/read-batcher';

let client: MongoClient;
const database = `rb_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
const commands: string[] = [];

beforeAll(async () => {
  client = new MongoClient(inject('mongoUrl'), { monitorCommands: true });
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.commandName === 'find') commands.push(JSON.stringify(event.command.filter));
  });
  await client.connect();
  await client.db(database).collection<{ _id: string; n: number }>('Thing').insertMany(
    Array.from({ length: 10 }, (_, n) => ({ _id: `t${n}`, n })),
  );
});
afterAll(async () => {
  await client.db(database).dropDatabase();
  await client.close();
});

describe('ReadBatcher', () => {
  it('answers concurrent reads with one $in query, each with its own document or null', async () => {
    const batcher = new ReadBatcher(client.db(database).collection<{ _id: string; n: number }>('Thing'));
    commands.length = 0;
    const docs = await Promise.all(['t1', 't2', 't2', 'missing', 't9'].map((id) => batcher.load(id)));
    expect(docs.map((doc) => doc?.n ?? null)).toEqual([1, 2, 2, null, 9]);
    expect(commands).toHaveLength(1);
    expect(JSON.parse(commands[0]!)._id.$in.sort()).toEqual(['missing', 't1', 't2', 't9']);
  });

  it('uses a plain findOne for a lone read', async () => {
    const batcher = new ReadBatcher(client.db(database).collection<{ _id: string; n: number }>('Thing'));
    commands.length = 0;
    expect((await batcher.load('t3'))?.n).toBe(3);
    expect((await batcher.load('t4'))?.n).toBe(4);
    expect(commands.map((c) => JSON.parse(c))).toEqual([{ _id: 't3' }, { _id: 't4' }]);
  });

  it('rejects every waiter of a failed batch', async () => {
    const broken = new MongoClient(inject('mongoUrl'));
    await broken.connect();
    const batcher = new ReadBatcher(broken.db(database).collection<{ _id: string; n: number }>('Thing'));
    await broken.close();
    const results = await Promise.allSettled([batcher.load('t1'), batcher.load('t2')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
