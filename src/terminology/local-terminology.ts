/**
 * Our own terminology, in `terminology/` at the top of the repository (DESIGN.md §2): one JSON
 * file per CodeSystem, ValueSet or NamingSystem, named `<resourceType>-<id>.json`.
 * Read once at start like `profiles/`; a broken file stops the server rather than being skipped.
 * The resolver finds these by canonical URL after the stored resources and before R4 core.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeSystem, NamingSystem, ValueSet } from '@medplum/fhirtypes';
import { isValidId } from '../platform/ids';
import type { TerminologyType } from './core-terminology';

export const TERMINOLOGY_DIR = fileURLToPath(new URL('../../terminology/', import.meta.url));

export type LocalTerminologyResource = CodeSystem | ValueSet | NamingSystem;
type Canonical = CodeSystem | ValueSet;

export interface LocalTerminology {
  /** Every resource, in file name order. */
  readonly resources: ReadonlyArray<LocalTerminologyResource & { id: string }>;
  /** The CodeSystem or ValueSet with canonical `url` (never a ConceptMap: none are kept here). */
  find<T extends TerminologyType>(type: T, url: string): Extract<Canonical, { resourceType: T }> | undefined;
}

const TYPES = new Set(['CodeSystem', 'ValueSet', 'NamingSystem']);

function readOne(dir: string, file: string): LocalTerminologyResource & { id: string } {
  let resource: Partial<LocalTerminologyResource>;
  try {
    resource = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Partial<LocalTerminologyResource>;
  } catch (err) {
    throw new Error(`terminology/${file}: not valid JSON (${(err as Error).message})`);
  }
  const type = String(resource.resourceType);
  if (!TYPES.has(type)) throw new Error(`terminology/${file}: terminology/ holds CodeSystems, ValueSets and NamingSystems, not ${type}`);
  if (typeof resource.id !== 'string' || !isValidId(resource.id)) throw new Error(`terminology/${file}: needs a valid id`);
  if (file !== `${type}-${resource.id}.json`) throw new Error(`terminology/${file}: should be named ${type}-${resource.id}.json`);
  if (type === 'NamingSystem') {
    const uris = (resource as NamingSystem).uniqueId?.filter((u) => u.type === 'uri' && typeof u.value === 'string') ?? [];
    if (uris.length === 0) throw new Error(`terminology/${file}: a NamingSystem needs a uniqueId of type uri`);
  } else if (typeof (resource as Canonical).url !== 'string') {
    throw new Error(`terminology/${file}: needs a url`);
  }
  return resource as LocalTerminologyResource & { id: string };
}

/** The resources in `dir` (every `*.json`); throws on a broken file, a duplicate url, id or NamingSystem uri. */
export function readTerminology(dir = TERMINOLOGY_DIR): LocalTerminology {
  const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  const resources = files.map((file) => readOne(dir, file));
  const byUrl = new Map<string, Canonical>();
  const seen = new Set<string>();
  for (const [i, resource] of resources.entries()) {
    const file = files[i]!;
    const keys =
      resource.resourceType === 'NamingSystem'
        ? (resource.uniqueId ?? []).filter((u) => u.type === 'uri').map((u) => `NamingSystem uri ${u.value}`)
        : [`${resource.resourceType} ${resource.url}`];
    for (const key of keys) {
      if (seen.has(key)) throw new Error(`terminology/${file}: another file in terminology/ has the same ${key}`);
      seen.add(key);
    }
    if (resource.resourceType !== 'NamingSystem') byUrl.set(`${resource.resourceType} ${resource.url}`, resource);
  }
  return {
    resources,
    find: <T extends TerminologyType>(type: T, url: string) => byUrl.get(`${type} ${url}`) as Extract<Canonical, { resourceType: T }> | undefined,
  };
}

let loaded: LocalTerminology | undefined;

/** The repository's `terminology/`, read on the first call (the container calls it at start). */
export function localTerminology(): LocalTerminology {
  loaded ??= readTerminology();
  return loaded;
}
