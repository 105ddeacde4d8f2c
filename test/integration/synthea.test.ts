/**
 * Every Synthea transaction Bundle in ../shared/data/synthea-r4 loads: hospitals and
 * practitioners first (patients reference them conditionally), then the 60 patients.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';
import { unpackBody } from '../../src/store/mongo/documents';
import type { StoredBody } from '../../src/store/mongo/documents';

const dir = fileURLToPath(new URL('../../../shared/data/synthea-r4/', import.meta.url));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 32 * 1024 * 1024, maxBundleEntries: 5000 });
});
afterAll(async () => {
  await server?.close();
});

describe('Synthea transaction Bundles', () => {
  it('loads every file, infrastructure first, each entry answered with 2xx', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const first = files.filter((f) => /^(hospital|practitioner)Information/.test(f));
    const ordered = [...first.sort(), ...files.filter((f) => !first.includes(f)).sort()];
    expect(ordered.length).toBe(62);
    let resources = 0;
    const expected = new Map<string, number>();
    const failures: string[] = [];
    for (const file of ordered) {
      const bundle = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      for (const entry of bundle.entry as Array<{ resource: { resourceType: string }; request: { method: string } }>) {
        // Conditional creates of shared resources (hospitals, practitioners) store one each.
        if (entry.request.method === 'POST' && !('ifNoneExist' in entry.request)) {
          expected.set(entry.resource.resourceType, (expected.get(entry.resource.resourceType) ?? 0) + 1);
        }
      }
      const res = await server.request.post('/fhir').set('Content-Type', 'application/fhir+json').send(bundle);
      if (res.status !== 200) {
        failures.push(`${file}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        continue;
      }
      const statuses = (res.body.entry as Array<{ response: { status: string } }>).map((e) => e.response.status);
      expect(statuses.every((s) => /^20[01]/.test(s)), file).toBe(true);
      resources += statuses.length;
    }
    expect(failures).toEqual([]);
    // Counts per type equal the files', and every reference resolves to a stored resource.
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    const stored = new Set<string>();
    const references: string[] = [];
    for (const [type, count] of expected) {
      const docs = await db.collection(type).find({ deleted: false }).toArray();
      expect(docs.length, type).toBe(count);
      for (const doc of docs) {
        stored.add(`${type}/${doc._id}`);
        for (const match of JSON.stringify(unpackBody(doc as StoredBody)).matchAll(/"reference":"([^"#][^"]*)"/g)) references.push(match[1]!);
      }
    }
    for (const type of ['Organization', 'Practitioner']) {
      for (const doc of await db.collection(type).find({ deleted: false }).toArray()) stored.add(`${type}/${doc._id}`);
    }
    expect(references.length).toBeGreaterThan(10_000);
    expect(references.filter((reference) => !stored.has(reference))).toEqual([]);
    console.info(`loaded ${ordered.length} Synthea bundles, ${resources} entries`);
  }, 600_000);
});
