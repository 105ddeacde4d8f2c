/** The instance examples of the R4 specification (hl7.fhir.r4.examples@4.0.1, CC0), read in place. */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

/** Conformance resources ship in the same package; the instance examples are the rest. */
const CONFORMANCE = new Set([
  'StructureDefinition', 'SearchParameter', 'OperationDefinition', 'CompartmentDefinition', 'CapabilityStatement',
  'ValueSet', 'CodeSystem', 'ConceptMap', 'NamingSystem', 'ImplementationGuide', 'StructureMap', 'GraphDefinition',
  'MessageDefinition', 'ExampleScenario', 'TerminologyCapabilities',
]);

export interface OfficialExample<T> {
  file: string;
  resource: T;
}

/** Every instance example, by file name; `keep` may leave files out, `requireId` those without an id. */
export function officialExamples<T extends { resourceType: string }>(options: { keep?: (file: string) => boolean; requireId?: boolean } = {}): Array<OfficialExample<T>> {
  const examples: Array<OfficialExample<T>> = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json') || file === 'package.json' || file.startsWith('.') || (options.keep && !options.keep(file))) continue;
    const resource = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    if (typeof resource.resourceType !== 'string' || CONFORMANCE.has(resource.resourceType)) continue;
    if (options.requireId && typeof resource.id !== 'string') continue;
    examples.push({ file, resource });
  }
  return examples;
}
