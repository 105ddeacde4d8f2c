/**
 * The bulk NDJSON sample (../shared/data/bulk-ndjson-10-patients), wrapped into transaction
 * Bundles of PUT entries, loads; its conditional references (Practitioner?identifier=…,
 * Organization?…, Location?…) are resolved, and every stored reference then resolves.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';
import { unpackBody } from '../../src/store/mongo/documents';
import type { StoredBody } from '../../src/store/mongo/documents';

const dir = fileURLToPath(new URL('../../../shared/data/bulk-ndjson-10-patients/', import.meta.url));
/** Referenced resources before the resources that reference them. */
const FIRST = ['Organization', 'Location', 'Practitioner', 'PractitionerRole', 'Patient', 'Device'];
const CHUNK = 500;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 32 * 1024 * 1024, maxBundleEntries: CHUNK });
});
afterAll(async () => {
  await server?.close();
});

describe('bulk NDJSON as transactions', () => {
  it('loads every resource and resolves every reference', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ndjson') && f !== 'log.ndjson');
    const typeOf = (file: string) => file.split('.')[0]!;
    const ordered = [...FIRST.map((t) => files.find((f) => typeOf(f) === t)!), ...files.filter((f) => !FIRST.includes(typeOf(f))).sort()];
    const counts = new Map<string, number>();
    for (const file of ordered) {
      const resources = readFileSync(path.join(dir, file), 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
      counts.set(typeOf(file), resources.length);
      for (let start = 0; start < resources.length; start += CHUNK) {
        const entry = resources.slice(start, start + CHUNK).map((resource: { resourceType: string; id: string }) => ({
          resource,
          request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
        }));
        const res = await server.request.post('/fhir').send({ resourceType: 'Bundle', type: 'transaction', entry });
        expect(res.status, `${file} @${start}: ${JSON.stringify(res.body).slice(0, 400)}`).toBe(200);
      }
    }
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    const stored = new Set<string>();
    const references: string[] = [];
    for (const [type, count] of counts) {
      const docs = await db.collection(type).find({ deleted: false }).toArray();
      expect(docs.length, type).toBe(count);
      for (const doc of docs) {
        stored.add(`${type}/${doc._id}`);
        for (const match of JSON.stringify(unpackBody(doc as StoredBody)).matchAll(/"reference":"([^"#][^"]*)"/g)) references.push(match[1]!);
      }
    }
    expect(references.length).toBeGreaterThan(10_000);
    expect(references.filter((reference) => reference.includes('?'))).toEqual([]);
    expect(references.filter((reference) => !stored.has(reference))).toEqual([]);
  }, 600_000);
});
