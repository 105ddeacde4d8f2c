import { MongoClient } from 'mongodb';
import { startJavaServer } from '../src/store/mongo/engine';
import { readFileSync } from 'node:fs';
const engine = await startJavaServer({ backend: 'memory' });
const p = JSON.parse(readFileSync('node_modules/hl7.fhir.r4.examples/Patient-example.json', 'utf8'));
async function trial(name: string, opts: object, op: (db: any, i: number) => Promise<unknown>) {
  const client = new MongoClient(engine.url, { maxPoolSize: 64, ...opts });
  await client.connect();
  const db = client.db('drv');
  if (!(await db.collection('P').findOne({ _id: 'p0' as any }))) {
    await db.collection('P').insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: `p${i}` as any, vid: 1, ts: new Date(), deleted: false, resource: p, json: JSON.stringify(p) })));
    await db.collection('P').updateMany({}, { $unset: { json: 1 } });
  }
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => { for (let i = next++; i < n; i = next++) await op(db, i); }));
  };
  await run(3000);
  const c = process.cpuUsage(); const t = Date.now();
  const N = 10000;
  await run(N);
  const cpu = process.cpuUsage(c);
  console.log(name.padEnd(50), ((cpu.user + cpu.system) / 1000 / N).toFixed(3), 'ms CPU/op', (N / ((Date.now() - t) / 1000)).toFixed(0), 'op/s');
  await client.close();
}
for (let r = 0; r < 3; r++) {
await trial('findOneAndUpdate before, full doc', {}, (db, i) => db.collection('P').findOneAndUpdate({ _id: `p${i % 1000}` }, { $inc: { vid: 1 }, $set: { ts: new Date(), deleted: false, method: 'PUT', resource: p } }, { upsert: true, returnDocument: 'before' }));
await trial('findOneAndUpdate before, projection vid/deleted', {}, (db, i) => db.collection('P').findOneAndUpdate({ _id: `p${i % 1000}` }, { $inc: { vid: 1 }, $set: { ts: new Date(), deleted: false, method: 'PUT', resource: p } }, { upsert: true, returnDocument: 'before', projection: { vid: 1, deleted: 1 } }));
await trial('insertOne (history-like)', {}, (db, i) => db.collection('H').insertOne({ _id: `h${r}-${i}-${Math.random()}`, t: 'Patient', i: `p${i}`, v: 1, ts: new Date(), deleted: false, method: 'PUT', resource: p }));
}
await engine.stop();
