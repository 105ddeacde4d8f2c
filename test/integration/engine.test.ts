/**
 * The embedded MongoDB engines (DESIGN.md §5) with the real driver. The `hello` assertions document
 * what each engine reports for transaction detection: sessions (`logicalSessionTimeoutMinutes`)
 * plus a replica set (`setName`) or mongos (`msg: 'isdbgrid'`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MongoClient, type Document } from 'mongodb';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedEngine, startJavaServer, startJongodb, type MongoEngine } from '../../src/store/mongo/engine';

const supportsTransactions = (hello: Document): boolean =>
  hello.logicalSessionTimeoutMinutes != null && (hello.setName != null || hello.msg === 'isdbgrid');

async function connect(url: string): Promise<MongoClient> {
  return MongoClient.connect(url, { serverSelectionTimeoutMS: 5_000 });
}

/** The operations the store relies on, identical on every engine. */
async function exerciseBasics(client: MongoClient): Promise<void> {
  const db = client.db('engine_basics');
  const col = db.collection<Document>('things');
  await col.deleteMany({});
  await col.insertOne({ _id: 'a' as never, k: 'x', n: 1 });
  expect(await col.findOne({ _id: 'a' as never })).toEqual({ _id: 'a', k: 'x', n: 1 });
  const replaced = await col.replaceOne({ _id: 'a' as never, n: 1 }, { k: 'x', n: 2 });
  expect(replaced.modifiedCount).toBe(1);
  const counters = db.collection<{ _id: string; seq: number }>('counters');
  await counters.deleteMany({});
  const first = await counters.findOneAndUpdate({ _id: 'c' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
  const second = await counters.findOneAndUpdate({ _id: 'c' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
  expect([first?.seq, second?.seq]).toEqual([1, 2]);
  expect(await col.createIndex({ k: 1, n: -1 })).toBe('k_1_n_-1');
  await col.insertMany([
    { _id: 'b' as never, k: 'y', n: 5 },
    { _id: 'c' as never, k: 'y', n: 7 },
  ]);
  const groups = await col
    .aggregate([{ $match: { k: { $in: ['x', 'y'] } } }, { $sort: { n: -1 } }, { $group: { _id: '$k', total: { $sum: '$n' } } }, { $sort: { _id: 1 } }])
    .toArray();
  expect(groups).toEqual([
    { _id: 'x', total: 2 },
    { _id: 'y', total: 12 },
  ]);
  expect(await col.countDocuments({ k: 'y' })).toBe(2);
}

function captureLogger(): { logger: Logger; lines: Array<{ level: number; msg: string; engine?: string }> } {
  const lines: Array<{ level: number; msg: string; engine?: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('mongo-java-server (memory backend)', () => {
  let engine: MongoEngine;
  let client: MongoClient;
  beforeAll(async () => {
    engine = await startJavaServer({ backend: 'memory' });
    client = await connect(engine.url);
  });
  afterAll(async () => {
    await client?.close();
    await engine?.stop();
  });

  it('starts on an ephemeral 127.0.0.1 port, not persistent', () => {
    expect(engine.name).toBe('mongo-java-server');
    expect(engine.persistent).toBe(false);
    expect(engine.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers hello as a standalone without sessions (so: no transactions)', async () => {
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({ ok: 1, isWritablePrimary: true, maxWireVersion: 17, minWireVersion: 0 });
    expect(hello.logicalSessionTimeoutMinutes).toBeUndefined();
    expect(hello.setName).toBeUndefined();
    expect(hello.msg).toBeUndefined();
    expect(supportsTransactions(hello)).toBe(false);
    const build = await client.db('admin').command({ buildInfo: 1 });
    expect(build.version).toBe('6.0.0');
  });

  it('supports the basic operations', async () => {
    await exerciseBasics(client);
  });

  it('refuses sessions (the driver sees no logicalSessionTimeoutMinutes)', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await expect(client.db('engine_tx').collection('t').insertOne({ x: 1 }, { session })).rejects.toThrow(/does not support sessions/);
    } finally {
      await session.endSession().catch(() => undefined);
    }
  });

  it('is gone after stop()', async () => {
    const other = await startJavaServer({ backend: 'memory' });
    await other.stop();
    await other.stop(); // idempotent
    await expect(MongoClient.connect(other.url, { serverSelectionTimeoutMS: 500 })).rejects.toThrow();
  });
});

describe('mongo-java-server (H2 file backend)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baobab-h2-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data across a stop and a restart on the same file', async () => {
    const file = join(dir, 'nested', 'mongo-java-server.h2');
    const first = await startJavaServer({ backend: 'h2', file });
    expect(first.persistent).toBe(true);
    let client = await connect(first.url);
    await client.db('persist').collection('p').insertOne({ _id: 'kept' as never, n: 42 });
    await client.db('persist').collection('p').createIndex({ n: 1 });
    await client.close();
    await first.stop();

    const second = await startJavaServer({ backend: 'h2', file });
    try {
      expect(second.url).not.toBe('');
      client = await connect(second.url);
      expect(await client.db('persist').collection('p').findOne({ _id: 'kept' as never })).toEqual({ _id: 'kept', n: 42 });
      const indexes = await client.db('persist').collection('p').listIndexes().toArray();
      expect(indexes.map((i) => i.name)).toContain('n_1');
      await client.close();
    } finally {
      await second.stop();
    }
  });
});

describe('jongodb', () => {
  let engine: MongoEngine;
  let client: MongoClient;
  beforeAll(async () => {
    engine = await startJongodb();
    client = await connect(engine.url);
  });
  afterAll(async () => {
    await client?.close();
    await engine?.stop();
  });

  it('starts as a single-node replica set, not persistent, URL without a database', () => {
    expect(engine.name).toBe('jongodb');
    expect(engine.persistent).toBe(false);
    expect(engine.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?replicaSet=jongodb-rs0&serverMonitoringMode=poll$/);
  });

  it('answers hello with sessions and a replica set name (so: transactions)', async () => {
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({ ok: 1, isWritablePrimary: true, maxWireVersion: 17, logicalSessionTimeoutMinutes: 30, setName: 'jongodb-rs0' });
    expect(supportsTransactions(hello)).toBe(true);
  });

  it('supports the basic operations', async () => {
    await exerciseBasics(client);
  });

  it('commits and aborts multi-document transactions', async () => {
    const col = client.db('engine_tx').collection<Document>('t');
    await col.deleteMany({});
    const session = client.startSession();
    try {
      session.startTransaction();
      await col.insertOne({ _id: 'aborted' as never }, { session });
      await col.insertOne({ _id: 'aborted-2' as never }, { session });
      expect(await col.findOne({ _id: 'aborted' as never }, { session })).not.toBeNull();
      expect(await col.findOne({ _id: 'aborted' as never })).toBeNull(); // invisible outside
      await session.abortTransaction();
      expect(await col.countDocuments({})).toBe(0);

      await session.withTransaction(async () => {
        await col.insertOne({ _id: 'kept' as never, n: 1 }, { session });
        await col.updateOne({ _id: 'kept' as never }, { $inc: { n: 1 } }, { session });
        await col.insertOne({ _id: 'kept-2' as never }, { session });
      });
      expect(await col.findOne({ _id: 'kept' as never })).toEqual({ _id: 'kept', n: 2 });
      expect(await col.countDocuments({})).toBe(2);
    } finally {
      await session.endSession();
    }
  });
});

describe('startEmbeddedEngine', () => {
  const saved = process.env.BAOBAB_ENGINE;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baobab-engine-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.BAOBAB_ENGINE;
    else process.env.BAOBAB_ENGINE = saved;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the first engine that works, logging each fallback and whether data persists', async () => {
    delete process.env.BAOBAB_ENGINE;
    const { logger, lines } = captureLogger();
    const started = Date.now();
    const engine = await startEmbeddedEngine({ dataDir: dir, persistent: true, logger, order: ['mongodb-memory-server', 'mongo-java-server'] });
    try {
      const info = lines.find((l) => l.level === 30 && l.engine === engine.name);
      expect(info?.msg).toMatch(/data persists/);
      expect(engine.persistent).toBe(true);
      if (engine.name === 'mongo-java-server') {
        // No mongod can be downloaded here: the fallback must be quick and explained.
        expect(lines.find((l) => l.level === 40 && l.engine === 'mongodb-memory-server')?.msg).toMatch(/falling back to mongo-java-server/);
        expect(Date.now() - started).toBeLessThan(20_000);
      }
      const client = await connect(engine.url);
      await client.db('embedded').collection('x').insertOne({ ok: true });
      await client.close();
    } finally {
      await engine.stop();
    }
  });

  it('honours BAOBAB_ENGINE and says when data is not persisted', async () => {
    process.env.BAOBAB_ENGINE = 'jongodb';
    const { logger, lines } = captureLogger();
    const engine = await startEmbeddedEngine({ dataDir: dir, persistent: true, logger });
    try {
      expect(engine.name).toBe('jongodb');
      expect(lines.some((l) => l.engine === 'mongodb-memory-server')).toBe(false);
      expect(lines.find((l) => l.level === 30)?.msg).toMatch(/NOT persisted/);
      expect(lines.find((l) => l.level === 40)?.msg).toMatch(/persistence was asked for/);
    } finally {
      await engine.stop();
    }
  });

  it('rejects an unknown BAOBAB_ENGINE', async () => {
    process.env.BAOBAB_ENGINE = 'sqlite';
    const { logger } = captureLogger();
    await expect(startEmbeddedEngine({ dataDir: dir, persistent: false, logger })).rejects.toThrow(/BAOBAB_ENGINE must be one of/);
  });
});
