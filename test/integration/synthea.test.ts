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
    const failures: string[] = [];
    for (const file of ordered) {
      const bundle = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
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
    // No temporary or conditional reference survives anywhere in what was stored.
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    for (const type of ['Observation', 'Encounter', 'Claim', 'ExplanationOfBenefit', 'Condition', 'MedicationRequest']) {
      const docs = await db.collection(type).find({}).toArray();
      expect(docs.length, type).toBeGreaterThan(0);
      const text = JSON.stringify(docs.map((d) => d.resource));
      expect(text.match(/"reference":"(urn:uuid:|[A-Za-z]+\?)[^"]*"/g), type).toBeNull();
    }
    console.info(`loaded ${ordered.length} Synthea bundles, ${resources} entries`);
  }, 600_000);
});
