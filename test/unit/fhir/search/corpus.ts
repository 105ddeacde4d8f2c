/**
 * The resources the search extraction is proven on: every instance example of the R4
 * specification (hl7.fhir.r4.examples) and every resource of the Synthea transaction bundles
 * in ../shared/data/synthea-r4, with their `urn:uuid:` references rewritten to `Type/id` as a
 * transaction stores them.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type JsonResource = { resourceType: string; id?: string } & Record<string, unknown>;

const require = createRequire(import.meta.url);

/** Conformance resources ship in the examples package too; the instance examples are the rest. */
const CONFORMANCE = new Set([
  'StructureDefinition', 'SearchParameter', 'OperationDefinition', 'CompartmentDefinition', 'CapabilityStatement',
  'ValueSet', 'CodeSystem', 'ConceptMap', 'NamingSystem', 'ImplementationGuide', 'StructureMap', 'GraphDefinition',
  'MessageDefinition', 'ExampleScenario', 'TerminologyCapabilities',
]);

export function officialExamples(): JsonResource[] {
  const dir = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));
  const result: JsonResource[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json') || file === 'package.json' || file.startsWith('.')) continue;
    const resource = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as JsonResource;
    if (typeof resource.resourceType !== 'string' || typeof resource.id !== 'string') continue;
    if (CONFORMANCE.has(resource.resourceType)) continue;
    result.push(resource);
  }
  return result;
}

export const SYNTHEA_DIR = path.resolve(import.meta.dirname, '../../../../../shared/data/synthea-r4');

/** Rewrites `urn:uuid:` references using the bundle's fullUrls, as a transaction does. */
function rewriteReferences(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, ids));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'reference' && typeof v === 'string' ? (ids.get(v) ?? v) : rewriteReferences(v, ids);
  }
  return out;
}

export function syntheaResources(): JsonResource[] {
  if (!existsSync(SYNTHEA_DIR)) return [];
  const result: JsonResource[] = [];
  for (const file of readdirSync(SYNTHEA_DIR).sort()) {
    if (!file.endsWith('.json')) continue;
    const bundle = JSON.parse(readFileSync(path.join(SYNTHEA_DIR, file), 'utf8')) as {
      entry?: Array<{ fullUrl?: string; resource: JsonResource }>;
    };
    const entries = bundle.entry ?? [];
    const ids = new Map<string, string>();
    for (const [i, e] of entries.entries()) {
      e.resource.id ??= e.fullUrl?.startsWith('urn:uuid:') ? e.fullUrl.slice(9) : `${file}-${i}`;
      if (e.fullUrl) ids.set(e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`);
    }
    for (const e of entries) result.push(rewriteReferences(e.resource, ids) as JsonResource);
  }
  return result;
}
