/**
 * Search-value extraction speed: µs per resource over every Synthea resource
 * (../shared/data/synthea-r4, or BENCH_SYNTHEA_DIR), all parameters of each resource's type.
 * Run with `npx tsx bench/extract.ts`. Prints figures; asserts nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinitions } from '../src/fhir/definitions';
import { extractSearchIndex } from '../src/fhir/search/extract';
import { SearchRegistry } from '../src/fhir/search/registry';

type Resource = { resourceType: string; id?: string } & Record<string, unknown>;

const dir = process.env.BENCH_SYNTHEA_DIR || join(import.meta.dirname, '..', '..', 'shared', 'data', 'synthea-r4');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

/** The bundles' resources with `urn:uuid:` references rewritten to `Type/id`, as stored. */
function loadResources(): Resource[] {
  const resources: Resource[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    const bundle = JSON.parse(text) as { entry?: Array<{ fullUrl?: string; resource: Resource }> };
    const ids = new Map<string, string>();
    for (const e of bundle.entry ?? []) {
      e.resource.id ??= e.fullUrl?.replace('urn:uuid:', '');
      if (e.fullUrl) ids.set(e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`);
    }
    const rewritten = JSON.parse(text, (key, value) => (key === 'reference' && typeof value === 'string' ? (ids.get(value) ?? value) : value)) as typeof bundle;
    for (const e of rewritten.entry ?? []) {
      e.resource.id ??= e.fullUrl?.replace('urn:uuid:', '');
      resources.push(e.resource);
    }
  }
  return resources;
}

const t0 = performance.now();
const registry = new SearchRegistry(loadDefinitions());
const resources = loadResources();
const types = new Set(resources.map((r) => r.resourceType));
for (const type of types) registry.forType(type);
const setupMs = performance.now() - t0;
const options = { baseUrl: 'http://localhost:8080/fhir' };

let entries = 0;
for (const r of resources) {
  const index = extractSearchIndex(r, registry.forType(r.resourceType), options);
  for (const list of Object.values(index)) if (Array.isArray(list)) entries += list.length;
}

const perRound: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const start = process.hrtime.bigint();
  for (const r of resources) extractSearchIndex(r, registry.forType(r.resourceType), options);
  perRound.push(Number(process.hrtime.bigint() - start) / 1000 / resources.length);
}
perRound.sort((a, b) => a - b);

const byType = new Map<string, { n: number; us: number }>();
for (const r of resources) {
  const params = registry.forType(r.resourceType);
  const start = process.hrtime.bigint();
  for (let i = 0; i < 5; i++) extractSearchIndex(r, params, options);
  const t = byType.get(r.resourceType) ?? { n: 0, us: 0 };
  t.n += 1;
  t.us += Number(process.hrtime.bigint() - start) / 1000 / 5;
  byType.set(r.resourceType, t);
}

console.log(`registry + compile for ${types.size} types + load: ${setupMs.toFixed(0)} ms`);
console.log(`${resources.length} Synthea resources, ${(entries / resources.length).toFixed(1)} index entries each`);
console.log(`µs per resource: median ${perRound[Math.floor(ROUNDS / 2)]!.toFixed(1)}, best ${perRound[0]!.toFixed(1)} (${ROUNDS} rounds)`);
for (const [type, t] of [...byType].sort((a, b) => b[1].n - a[1].n)) {
  console.log(`  ${type.padEnd(22)} ${String(t.n).padStart(5)} × ${(t.us / t.n).toFixed(1).padStart(6)} µs  (${registry.forType(type).size} params)`);
}
