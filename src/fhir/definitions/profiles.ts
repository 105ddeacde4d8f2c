/**
 * Our own conformance resources, in `profiles/` at the top of the repository (DESIGN.md §2): one
 * JSON file per StructureDefinition, SearchParameter or OperationDefinition. They are read once at
 * start, like the R4 definitions, and a broken file stops the server rather than being skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OperationDefinition, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

export const PROFILES_DIR = fileURLToPath(new URL('../../../profiles/', import.meta.url));

export interface ProfileResources {
  readonly structureDefinitions: readonly StructureDefinition[];
  readonly searchParameters: readonly SearchParameter[];
  readonly operationDefinitions: readonly OperationDefinition[];
}

type ProfileResource = StructureDefinition | SearchParameter | OperationDefinition;

function readProfile(path: string): ProfileResource {
  let resource: Partial<ProfileResource>;
  try {
    resource = JSON.parse(readFileSync(path, 'utf8')) as Partial<ProfileResource>;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const type = resource.resourceType;
  if (type !== 'StructureDefinition' && type !== 'SearchParameter' && type !== 'OperationDefinition') {
    throw new Error(`${path}: profiles/ holds StructureDefinitions, SearchParameters and OperationDefinitions, not ${String(type)}`);
  }
  if (typeof resource.id !== 'string' || typeof resource.url !== 'string') throw new Error(`${path}: needs an id and a url`);
  return resource as ProfileResource;
}

/** The resources in `dir` (every `*.json`), by kind, in file name order. */
export function readProfiles(dir = PROFILES_DIR): ProfileResources {
  const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  const structureDefinitions: StructureDefinition[] = [];
  const searchParameters: SearchParameter[] = [];
  const operationDefinitions: OperationDefinition[] = [];
  const urls = new Set<string>();
  for (const file of files) {
    const resource = readProfile(join(dir, file));
    if (urls.has(resource.url!)) throw new Error(`${file}: another file in profiles/ has the url ${resource.url}`);
    urls.add(resource.url!);
    if (resource.resourceType === 'StructureDefinition') structureDefinitions.push(resource);
    else if (resource.resourceType === 'SearchParameter') searchParameters.push(resource);
    else operationDefinitions.push(resource);
  }
  return { structureDefinitions, searchParameters, operationDefinitions };
}
