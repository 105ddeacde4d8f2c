/**
 * The base cardinality rules the stock JSON schema leaves out, taken from the R4
 * StructureDefinitions: every element with `min >= 1` (Observation.status, Extension.url,
 * Bundle.type, Narrative.div …) must be present when its parent is, and a choice element
 * (`value[x]`) may appear in one type only. Both go on each schema definition as the
 * CARDINALITY_KEYWORD, checked in one pass over the object's keys. (The stock schema `required`s
 * only some complex-typed elements, such as Observation.code; those are left to the keyword.)
 *
 * Schema definitions are named after types (`Observation`) and backbone elements
 * (`Observation_Component`); the backbone names are mapped to their element paths by following
 * the properties that refer to them from their type, so the names' spelling is never parsed.
 */
import type { ElementInfo, FhirDefinitions } from '../definitions';
import type { Definitions } from './schema-patches';
import { isRecord } from './schema-patches';

export const CARDINALITY_KEYWORD = 'fhirCardinality';

/** A mandatory element: present if any of its JSON keys is (`status` or `_status`; each `value<Type>`). */
export interface RequiredElement {
  /** The snapshot path, for the message (`Observation.component.value[x]`). */
  path: string;
  /** The name the issue is located at (`status`, `value`). */
  name: string;
  keys: string[];
}

/** A choice element: its JSON keys per type (`valueString`; the `_valueString` sibling counts as the same type). */
export interface ChoiceElement {
  path: string;
  keys: string[];
}

export interface CardinalityRules {
  required: RequiredElement[];
  choices: ChoiceElement[];
}

const REF_PREFIX = '#/definitions/';

function refOf(property: unknown): string | undefined {
  if (!isRecord(property)) return undefined;
  const ref = property.$ref ?? (isRecord(property.items) ? property.items.$ref : undefined);
  return typeof ref === 'string' && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

/**
 * Schema definition name → the element path whose children it describes: each type with a
 * StructureDefinition is its own path; a backbone definition takes the path of the first
 * property (breadth first from its type) that refers to it.
 */
export function definitionPaths(definitions: Definitions, fhir: FhirDefinitions): Map<string, string> {
  const paths = new Map<string, string>();
  const queue: string[] = [];
  for (const name of Object.keys(definitions)) {
    if (!/^[A-Z][A-Za-z]*$/.test(name) || !isRecord(definitions[name])) continue;
    if (!fhir.getStructureDefinition(name)?.snapshot) continue;
    paths.set(name, name);
    queue.push(name);
  }
  while (queue.length > 0) {
    const name = queue.shift()!;
    const def = definitions[name];
    if (!isRecord(def) || !isRecord(def.properties)) continue;
    for (const [key, property] of Object.entries(def.properties)) {
      const target = refOf(property);
      if (target === undefined || paths.has(target) || !target.includes('_')) continue;
      const element = fhir.resolveProperty(paths.get(name)!, key);
      if (!element?.childrenPath) continue;
      paths.set(target, element.childrenPath);
      queue.push(target);
    }
  }
  return paths;
}

/** The rules for one schema definition's properties, under the element path `path`. */
export function rulesFor(properties: Record<string, unknown>, path: string, fhir: FhirDefinitions): CardinalityRules {
  const keysByElement = new Map<ElementInfo, string[]>();
  for (const key of Object.keys(properties)) {
    const element = fhir.resolveProperty(path, key);
    if (!element) continue;
    let keys = keysByElement.get(element);
    if (!keys) keysByElement.set(element, (keys = []));
    keys.push(key);
  }
  const required: RequiredElement[] = [];
  const choices: ChoiceElement[] = [];
  for (const [element, keys] of keysByElement) {
    if (element.min >= 1) required.push({ path: element.path, name: element.choiceBase ?? element.name, keys });
    const typed = keys.filter((key) => !key.startsWith('_'));
    if (element.choiceBase !== undefined && typed.length > 1) choices.push({ path: element.path, keys: typed });
  }
  return { required, choices };
}

/** Adds the CARDINALITY_KEYWORD to every definition that has rules; returns how many got one. */
export function addCardinality(definitions: Definitions, fhir: FhirDefinitions): number {
  let count = 0;
  for (const [name, path] of definitionPaths(definitions, fhir)) {
    const def = definitions[name];
    if (!isRecord(def) || !isRecord(def.properties)) continue;
    const rules = rulesFor(def.properties, path, fhir);
    if (rules.required.length === 0 && rules.choices.length === 0) continue;
    def[CARDINALITY_KEYWORD] = rules;
    // The stock `required` lists some of the same elements (Observation.code): reported once, by the keyword.
    const covered = new Set(rules.required.flatMap((element) => element.keys));
    if (Array.isArray(def.required)) def.required = def.required.filter((key) => !covered.has(key as string));
    count++;
  }
  return count;
}

/** A broken rule, as the keyword reports it (ajv error params). */
export type CardinalityProblem =
  | { problem: 'missing'; path: string; name: string }
  | { problem: 'several-choices'; path: string; name: string; found: string[] };

/** The rules in the shape the check runs fast on: each choice key (and its `_x`) → its choice. */
export interface CompiledCardinality {
  required: readonly RequiredElement[];
  choices: readonly ChoiceElement[];
  /** JSON key → index in `choices` (both `valueString` and `_valueString`). */
  choiceOf: ReadonlyMap<string, number>;
}

export function compileCardinality(rules: CardinalityRules): CompiledCardinality {
  const choiceOf = new Map<string, number>();
  rules.choices.forEach((choice, index) => {
    for (const key of choice.keys) choiceOf.set(key, index).set(`_${key}`, index);
  });
  return { required: rules.required, choices: rules.choices, choiceOf };
}

/** What `data` (an object of the definition) breaks; `[]` when nothing. */
export function cardinalityProblems(rules: CompiledCardinality, data: Record<string, unknown>): CardinalityProblem[] {
  let problems: CardinalityProblem[] | undefined;
  for (const element of rules.required) {
    if (!element.keys.some((key) => data[key] !== undefined)) (problems ??= []).push({ problem: 'missing', path: element.path, name: element.name });
  }
  if (rules.choices.length === 0) return problems ?? [];
  // Over the object's own keys (a few), not over every type a choice allows (~50 for value[x]).
  let seen: Array<string[] | undefined> | undefined;
  for (const key in data) {
    const index = rules.choiceOf.get(key);
    if (index === undefined) continue;
    const type = key.charCodeAt(0) === 0x5f ? key.slice(1) : key;
    seen ??= [];
    const types = (seen[index] ??= []);
    if (!types.includes(type)) types.push(type);
  }
  seen?.forEach((found, index) => {
    // Located at the second type given, in the resource's order.
    if (found && found.length > 1) (problems ??= []).push({ problem: 'several-choices', path: rules.choices[index]!.path, name: found[1]!, found });
  });
  return problems ?? [];
}
