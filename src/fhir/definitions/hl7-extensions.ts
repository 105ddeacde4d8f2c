/**
 * HL7's global extensions (the FHIR Extensions Pack for R4, npm `hl7.fhir.uv.extensions.r4`,
 * CC0): definitions of `http://hl7.org/fhir/StructureDefinition/*` extensions that the R4 core
 * files do not carry (e.g. narrativeLink), so the validator can check their values. Read lazily,
 * one file per URL on first use, since a resource uses only a few of the ~600.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { StructureDefinition } from '@medplum/fhirtypes';

const require = createRequire(import.meta.url);
const PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

let packageDir: string | null | undefined;
const cache = new Map<string, StructureDefinition | null>();

function directory(): string | null {
  if (packageDir === undefined) {
    try {
      packageDir = path.dirname(require.resolve('hl7.fhir.uv.extensions.r4/package.json'));
    } catch {
      packageDir = null;
    }
  }
  return packageDir;
}

/** The Extension StructureDefinition with this canonical URL in the Extensions Pack, if any. */
export function hl7ExtensionDefinition(url: string): StructureDefinition | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  let found = cache.get(url);
  if (found === undefined) {
    found = null;
    const name = url.slice(PREFIX.length);
    const dir = directory();
    if (dir && /^[A-Za-z0-9\-.]{1,64}$/.test(name)) {
      try {
        const sd = JSON.parse(readFileSync(path.join(dir, `StructureDefinition-${name}.json`), 'utf8')) as StructureDefinition;
        if (sd.resourceType === 'StructureDefinition' && sd.type === 'Extension' && sd.url === url) found = sd;
      } catch {
        // Not in the pack.
      }
    }
    cache.set(url, found);
  }
  return found ?? undefined;
}
