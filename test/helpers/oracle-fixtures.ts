/**
 * The data the search oracle test runs on: every Synthea transaction Bundle in
 * ../shared/data/synthea-r4 and the R4 specification's examples (every instance example but
 * Bundles, and a sample of its ValueSets, CodeSystems and StructureDefinitions for uri
 * search), loaded through the API; then read back as stored (server ids, rewritten references,
 * meta.lastUpdated) straight from the database, not through search.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredResource } from './search-oracle';
import type { TestServer } from './server';
import { FHIR_JSON } from './server';
import { unpackBody } from '../../src/store/mongo/documents';
import type { StoredBody } from '../../src/store/mongo/documents';

const SYNTHEA_DIR = fileURLToPath(new URL('../../../shared/data/synthea-r4/', import.meta.url));
const EXAMPLES_DIR = path.dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

/** Conformance resources in the examples package: only a sample of these three is loaded. */
const SAMPLED = new Set(['ValueSet', 'CodeSystem', 'StructureDefinition']);
const SKIPPED = new Set([
  'Bundle', 'SearchParameter', 'OperationDefinition', 'CompartmentDefinition', 'CapabilityStatement', 'ConceptMap', 'NamingSystem',
  'ImplementationGuide', 'StructureMap', 'GraphDefinition', 'MessageDefinition', 'ExampleScenario', 'TerminologyCapabilities',
]);
const SAMPLE_EVERY = 6;

export async function loadSynthea(server: TestServer): Promise<number> {
  const files = readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json')).sort();
  const first = files.filter((f) => /^(hospital|practitioner)Information/.test(f));
  let loaded = 0;
  for (const file of [...first, ...files.filter((f) => !first.includes(f))]) {
    const bundle = readFileSync(path.join(SYNTHEA_DIR, file), 'utf8');
    const res = await server.request.post('/fhir').set('Content-Type', FHIR_JSON).send(bundle);
    if (res.status !== 200) throw new Error(`${file}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    loaded += 1;
  }
  return loaded;
}

/** PUTs the examples; those the server refuses (the documented schema breakers) are simply absent. */
export async function loadSpecExamples(server: TestServer): Promise<number> {
  const sampled = new Map<string, number>();
  let loaded = 0;
  for (const file of readdirSync(EXAMPLES_DIR).sort()) {
    if (!file.endsWith('.json') || file === 'package.json' || file.startsWith('.')) continue;
    const text = readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
    const resource = JSON.parse(text) as { resourceType?: unknown; id?: unknown };
    if (typeof resource.resourceType !== 'string' || typeof resource.id !== 'string' || SKIPPED.has(resource.resourceType)) continue;
    if (SAMPLED.has(resource.resourceType)) {
      const seen = (sampled.get(resource.resourceType) ?? 0) + 1;
      sampled.set(resource.resourceType, seen);
      if (seen % SAMPLE_EVERY !== 1) continue;
    }
    const res = await server.request.put(`/fhir/${resource.resourceType}/${resource.id}`).set('Content-Type', FHIR_JSON).send(text);
    if (res.status < 300) loaded += 1;
  }
  return loaded;
}

/** Every current resource, as the server would return it. */
export async function readStored(server: TestServer): Promise<StoredResource[]> {
  const db = server.container.mongoClient.db(server.config.mongodbDatabase);
  const resources: StoredResource[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    if (!/^[A-Z]/.test(name)) continue;
    const docs = db.collection<StoredBody & { ts: Date }>(name).find({ deleted: false }, { projection: { resource: 1, ts: 1 } });
    for await (const doc of docs) {
      const body = unpackBody(doc) as StoredResource | undefined;
      if (!body) throw new Error(`${name}/${doc._id}: stored compressed; the oracle reads inline bodies only`);
      resources.push({ ...body, meta: { ...(body.meta as object | undefined), lastUpdated: (doc.ts as Date).toISOString() } });
    }
  }
  return resources;
}
