/**
 * Every instance example of the R4 specification (hl7.fhir.r4.examples@4.0.1)
 * is PUT to [type]/[id], read back and compared, ignoring meta.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';
import { SCHEMA_EXCLUSIONS } from '../fixtures/schema-exclusions';
import { officialExamples } from '../helpers/official-examples';

interface Example {
  file: string;
  resource: { resourceType: string; id: string; meta?: Record<string, unknown> } & Record<string, unknown>;
}

const loadExamples = (): Example[] => officialExamples<Example['resource']>({ requireId: true });

function withoutMeta(resource: Record<string, unknown>): Record<string, unknown> {
  const { meta, ...rest } = resource as { meta?: Record<string, unknown> };
  if (!meta) return rest;
  const { versionId: _v, lastUpdated: _l, ...kept } = meta;
  return Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 64 * 1024 * 1024 });
});
afterAll(async () => {
  await server?.close();
});

describe('official R4 examples round-trip', () => {
  const examples = loadExamples();

  it('finds the ~720 instance examples', () => {
    expect(examples.length).toBeGreaterThan(700);
  });

  it('PUTs every example, reads it back unchanged (ignoring server meta), except the documented schema breakers', async () => {
    const failures: string[] = [];
    const rejected: string[] = [];
    for (const { file, resource } of examples) {
      const url = `/fhir/${resource.resourceType}/${resource.id}`;
      const put = await server.request.put(url).set('Content-Type', 'application/fhir+json').send(resource);
      if (SCHEMA_EXCLUSIONS.has(file)) {
        if (put.status === 400) rejected.push(file);
        else failures.push(`${file}: expected 400 (schema breaker), got ${put.status}`);
        continue;
      }
      if (put.status !== 201 && put.status !== 200) {
        failures.push(`${file}: PUT ${put.status} ${JSON.stringify(put.body).slice(0, 300)}`);
        continue;
      }
      const read = await server.request.get(url).set('Accept', 'application/fhir+json');
      if (read.status !== 200) {
        failures.push(`${file}: GET ${read.status}`);
        continue;
      }
      try {
        expect(withoutMeta(read.body)).toEqual(withoutMeta(resource));
      } catch {
        failures.push(`${file}: read-back differs`);
      }
    }
    expect(failures).toEqual([]);
    console.info(`round-tripped ${examples.length - rejected.length} of ${examples.length} examples; ${rejected.length} excluded as schema breakers`);
  }, 600_000);
});
