/**
 * The `value` of a FHIRPath Patch operation: a `value[x]` (with its `_value[x]` id/extensions
 * for a primitive), a `resource`, or `part`s that compose a complex or anonymous (backbone)
 * value, one part per element. Reading the shape is done with the document (400s); turning it
 * into JSON for a given element, with the type check the spec requires, with the resource (422s).
 */
import type { ParametersParameter } from '@medplum/fhirtypes';
import type { ElementInfo, FhirDefinitions } from '../definitions';
import { invalidPatch, unprocessablePatch } from './errors';

export type PatchValue =
  | { kind: 'typed'; type: string; json: unknown; ext?: unknown }
  | { kind: 'parts'; parts: Array<{ name: string; value: PatchValue }> };

/** A value ready to store in an element: its type, JSON and (for a primitive) `_` sibling. */
export interface Materialised {
  type: string;
  json: unknown;
  ext?: unknown;
}

const PRIMITIVES = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer',
  'markdown', 'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

/**
 * FHIR type specialisations: a value of either type is accepted where the other is expected
 * (valueString for a `code`, valueUri for a `url`, valueQuantity for an `Age`…). Parameters has
 * no valueXhtml, so `Narrative.div` takes a string. The result is schema-validated anyway.
 */
const BASE_TYPE: Record<string, string> = {
  code: 'string', id: 'string', markdown: 'string', xhtml: 'string',
  url: 'uri', canonical: 'uri', oid: 'uri', uuid: 'uri',
  positiveInt: 'integer', unsignedInt: 'integer',
  Age: 'Quantity', Count: 'Quantity', Distance: 'Quantity', Duration: 'Quantity', MoneyQuantity: 'Quantity', SimpleQuantity: 'Quantity',
};

export function isPrimitiveType(type: string): boolean {
  return PRIMITIVES.has(type) || type.startsWith('System.');
}

/** `DateTime` → `dateTime`, `CodeableConcept` → `CodeableConcept` (the suffix of value[x]). */
export function typeOfSuffix(suffix: string): string {
  const lower = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  return PRIMITIVES.has(lower) ? lower : suffix;
}

/** `dateTime` → `DateTime`: the suffix a choice element uses for a type. */
export function suffixOfType(type: string): string {
  return type.charAt(0).toUpperCase() + type.slice(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the value carried by a parameter part (`value`, or one part of a composed value). */
export function readValue(part: ParametersParameter, where: string): PatchValue {
  const record = part as unknown as Record<string, unknown>;
  const valueKeys = Object.keys(record).filter((k) => /^_?value[A-Z]/.test(k));
  const suffixes = [...new Set(valueKeys.map((k) => k.replace(/^_?value/, '')))];
  const carriers = suffixes.length + (part.resource ? 1 : 0) + (part.part ? 1 : 0);
  if (carriers !== 1) throw invalidPatch(`${where} must have exactly one of value[x], resource or part`);
  if (part.resource) return { kind: 'typed', type: part.resource.resourceType, json: part.resource };
  if (part.part) {
    if (part.part.length === 0) throw invalidPatch(`${where} has no parts`);
    return {
      kind: 'parts',
      parts: part.part.map((child, i) => {
        if (typeof child.name !== 'string' || child.name === '') throw invalidPatch(`${where}, part ${i + 1} has no name`);
        return { name: child.name, value: readValue(child, `${where}, part '${child.name}'`) };
      }),
    };
  }
  const suffix = suffixes[0]!;
  const json = record[`value${suffix}`];
  const ext = record[`_value${suffix}`];
  return { kind: 'typed', type: typeOfSuffix(suffix), json, ...(ext === undefined ? {} : { ext }) };
}

export function compatible(valueType: string, elementType: string): boolean {
  return valueType === elementType || BASE_TYPE[valueType] === elementType || BASE_TYPE[elementType] === valueType;
}

function isResourceElement(element: ElementInfo): boolean {
  return element.typeCodes.some((t) => t === 'Resource' || t === 'DomainResource');
}

/** The child element `name` of a type or backbone path: `gender`, `deceased` or `deceasedBoolean`. */
export function childElement(definitions: FhirDefinitions, parentPath: string, name: string): ElementInfo | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return undefined;
  return (
    definitions.getElement(`${parentPath}.${name}`) ??
    definitions.getElement(`${parentPath}.${name}[x]`) ??
    definitions.resolveProperty(parentPath, name)
  );
}

/**
 * The JSON property an element's value of `type` is stored under: the element name, or for a
 * choice element its base plus the type (`deceased` + boolean → `deceasedBoolean`).
 */
export function propertyFor(element: ElementInfo, type: string): string {
  return element.choiceBase !== undefined ? `${element.choiceBase}${suffixOfType(type)}` : element.name;
}

/**
 * Turns `value` into the JSON of `element`, checking its type. `fixedType` is set when the
 * client named a choice property with its type (`deceasedBoolean`).
 */
export function materialise(
  definitions: FhirDefinitions,
  value: PatchValue,
  element: ElementInfo,
  where: string,
  fixedType?: string,
): Materialised {
  const allowed = fixedType ? [fixedType] : element.typeCodes;
  if (value.kind === 'typed') {
    if (isRecord(value.json) && typeof value.json.resourceType === 'string') {
      if (isResourceElement(element) || allowed.includes(value.type)) return { type: value.type, json: value.json };
      throw unprocessablePatch(`${where}: a ${value.type} resource cannot be put in ${element.path}`);
    }
    const type = allowed.find((t) => compatible(value.type, t));
    if (!type) {
      const expected = allowed.length > 0 ? allowed.join(' | ') : 'a part-composed value';
      throw unprocessablePatch(`${where}: a ${value.type} value cannot be put in ${element.path} (expected ${expected})`);
    }
    return { type, json: value.json, ...(value.ext === undefined ? {} : { ext: value.ext }) };
  }
  const complex = element.childrenPath ?? (allowed.length === 1 && !isPrimitiveType(allowed[0]!) ? allowed[0] : undefined);
  if (!complex || isResourceElement(element)) {
    throw unprocessablePatch(`${where}: ${element.path} (${allowed.join(' | ')}) cannot take a value composed of parts`);
  }
  return { type: complex, json: compose(definitions, value.parts, complex, where) };
}

/** Builds the object of a complex/backbone type at `typePath` from one part per element. */
function compose(
  definitions: FhirDefinitions,
  parts: ReadonlyArray<{ name: string; value: PatchValue }>,
  typePath: string,
  where: string,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const { name, value } of parts) {
    const element = childElement(definitions, typePath, name);
    if (!element) throw unprocessablePatch(`${where}: '${name}' is not an element of ${typePath}`);
    const fixedType = element.choiceBase !== undefined && name !== element.choiceBase ? typeOfSuffix(name.slice(element.choiceBase.length)) : undefined;
    const item = materialise(definitions, value, element, `${where}, part '${name}'`, fixedType);
    const key = propertyFor(element, item.type);
    if (isRepeating(element)) {
      appendTo(result, key, item);
    } else {
      if (result[key] !== undefined || result[`_${key}`] !== undefined || (element.choiceBase !== undefined && hasChoice(result, element.choiceBase))) {
        throw unprocessablePatch(`${where}: '${name}' is given more than once, but ${element.path} is not repeating`);
      }
      setValue(result, key, item);
    }
  }
  return result;
}

export function isRepeating(element: ElementInfo): boolean {
  return element.max !== '1' && element.max !== '0';
}

/** True when `container` holds any property of the choice element `base` (`deceasedBoolean`…). */
export function hasChoice(container: Record<string, unknown>, base: string): boolean {
  return Object.keys(container).some((k) => {
    const key = k.startsWith('_') ? k.slice(1) : k;
    return key.startsWith(base) && /^[A-Z]/.test(key.slice(base.length));
  });
}

/** Sets a single (non-repeating) value and its `_` sibling. */
export function setValue(container: Record<string, unknown>, key: string, item: Materialised): void {
  if (item.json === undefined) delete container[key];
  else container[key] = item.json;
  if (item.ext === undefined) delete container[`_${key}`];
  else container[`_${key}`] = item.ext;
}

/** Appends to a repeating element, keeping a primitive's `_` sibling array aligned. */
export function appendTo(container: Record<string, unknown>, key: string, item: Materialised): void {
  const values = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
  const length = values.length;
  insertAt(container, key, length, item);
}

/** Inserts into a repeating element at `index`, keeping the `_` sibling array aligned. */
export function insertAt(container: Record<string, unknown>, key: string, index: number, item: Materialised): void {
  const values = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
  const extKey = `_${key}`;
  const hadExt = Array.isArray(container[extKey]);
  const length = Math.max(values.length, hadExt ? (container[extKey] as unknown[]).length : 0);
  while (values.length < length) values.push(null);
  values.splice(index, 0, item.json ?? null);
  container[key] = values;
  if (hadExt || item.ext !== undefined) {
    const exts = hadExt ? (container[extKey] as unknown[]) : [];
    while (exts.length < length) exts.push(null);
    exts.splice(index, 0, item.ext ?? null);
    container[extKey] = exts;
  }
  tidyArrays(container, key);
}

/** Drops an all-null value or `_` array, and both when nothing is left. */
export function tidyArrays(container: Record<string, unknown>, key: string): void {
  const extKey = `_${key}`;
  const values = container[key];
  const exts = container[extKey];
  const empty = (a: unknown) => Array.isArray(a) && a.every((v) => v === null || v === undefined);
  if (Array.isArray(exts) && empty(exts)) delete container[extKey];
  if (Array.isArray(values) && empty(values) && !Array.isArray(container[extKey])) delete container[key];
}
