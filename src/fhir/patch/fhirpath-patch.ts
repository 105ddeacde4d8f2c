/**
 * FHIRPath Patch (fhirpatch.html): a Parameters resource with one `operation` parameter per
 * change, applied in order. The rules implemented, from the R4 page:
 *
 * - add: `path` must select exactly one element; `name` is the property added to it. A repeating
 *   property gets the value appended; a non-repeating one must not exist yet.
 * - insert: `path` selects a whole list; `index` (0 … length) is where the value goes.
 * - delete: `path` selecting nothing is not an error; more than one element is.
 * - replace: `path` must select exactly one element, which becomes the value (with its own
 *   id/extensions: the element is replaced as a whole).
 * - move: `path` selects a whole list; the item at `source` is moved to `destination` (both
 *   0-based, `destination` counted after removing the item).
 * - Except for delete, a path that selects nothing is an error; so is one that selects more
 *   than one element where one is needed. Paths must select elements of the resource itself
 *   (`resolve()` is not available, so no other resource can be reached).
 * - The value's type must fit its place (see fhirpath-values.ts), and the result must be a valid
 *   resource (checked by ResourceService.patch).
 *
 * A removal that leaves an object empty removes that object too (`contact.name.text` deleted
 * from a name with only a text removes the name).
 */
import type { Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../definitions';
import { invalidPatch, unprocessablePatch } from './errors';
import type { ResourceNode } from './fhirpath-select';
import { compilePath, select } from './fhirpath-select';
import { childContainerOf, listOf, moveInList, removeSlot, slotOf, typePathOf } from './fhirpath-slots';
import type { PatchValue } from './fhirpath-values';
import {
  appendTo,
  childElement,
  hasChoice,
  insertAt,
  isPrimitiveType,
  isRepeating,
  materialise,
  propertyFor,
  readValue,
  setValue,
  typeOfSuffix,
} from './fhirpath-values';

interface Located {
  /** The path as the client wrote it (for messages) and as evaluated. */
  path: string;
  expression: string;
  where: string;
}

export type FhirPathOperation = Located &
  (
    | { type: 'add'; name: string; value: PatchValue }
    | { type: 'insert'; index: number; value: PatchValue }
    | { type: 'delete' }
    | { type: 'replace'; value: PatchValue }
    | { type: 'move'; source: number; destination: number }
  );

const PARTS: Record<FhirPathOperation['type'], readonly string[]> = {
  add: ['type', 'path', 'name', 'value'],
  insert: ['type', 'path', 'index', 'value'],
  delete: ['type', 'path'],
  replace: ['type', 'path', 'value'],
  move: ['type', 'path', 'source', 'destination'],
};

function stringPart(part: ParametersParameter, where: string): string {
  const value = part.valueString ?? (part as { valueCode?: string }).valueCode;
  if (typeof value !== 'string' || value === '') throw invalidPatch(`${where} must be a non-empty valueString`);
  return value;
}

function indexPart(part: ParametersParameter, where: string): number {
  const value = part.valueInteger;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidPatch(`${where} must be a valueInteger of 0 or more`);
  return value;
}

function parseOperation(parameter: ParametersParameter, n: number): FhirPathOperation {
  const where = `Operation ${n}`;
  if (parameter.name !== 'operation') {
    throw invalidPatch(`Parameter ${n} is named '${String(parameter.name).slice(0, 40)}'; a FHIRPath Patch only has 'operation' parameters`);
  }
  const parts = new Map<string, ParametersParameter>();
  for (const part of parameter.part ?? []) {
    if (parts.has(part.name)) throw invalidPatch(`${where} has more than one '${part.name}' part`);
    parts.set(part.name, part);
  }
  const typePart = parts.get('type');
  const type = typePart?.valueCode;
  if (!type || !(type in PARTS)) throw invalidPatch(`${where}: 'type' must be a valueCode: add, insert, delete, replace or move`);
  const allowed = PARTS[type as FhirPathOperation['type']];
  for (const name of parts.keys()) {
    if (!allowed.includes(name)) throw invalidPatch(`${where} (${type}) does not take a '${name.slice(0, 40)}' part`);
  }
  for (const name of allowed) {
    if (!parts.has(name)) throw invalidPatch(`${where} (${type}) needs a '${name}' part`);
  }
  const get = (name: string) => parts.get(name)!;
  const path = stringPart(get('path'), `${where}: 'path'`);
  const located: Located = { path, expression: compilePath(path, where), where: `${where} (${type} at ${path.slice(0, 200)})` };
  switch (type) {
    case 'add':
      return { ...located, type, name: stringPart(get('name'), `${where}: 'name'`), value: readValue(get('value'), `${where}: 'value'`) };
    case 'insert':
      return { ...located, type, index: indexPart(get('index'), `${where}: 'index'`), value: readValue(get('value'), `${where}: 'value'`) };
    case 'delete':
      return { ...located, type };
    case 'replace':
      return { ...located, type, value: readValue(get('value'), `${where}: 'value'`) };
    default:
      return {
        ...located,
        type: 'move',
        source: indexPart(get('source'), `${where}: 'source'`),
        destination: indexPart(get('destination'), `${where}: 'destination'`),
      };
  }
}

/** Reads a FHIRPath Patch document (already checked as a valid Parameters resource). */
export function parseFhirPathPatch(parameters: Parameters): FhirPathOperation[] {
  return (parameters.parameter ?? []).map((parameter, i) => parseOperation(parameter, i + 1));
}

function single(nodes: ResourceNode[], op: FhirPathOperation, verb: string): ResourceNode {
  if (nodes.length === 0) throw unprocessablePatch(`No content found at ${op.path} when ${verb}`, op.path);
  if (nodes.length > 1) throw unprocessablePatch(`${op.where}: '${op.path}' selects ${nodes.length} elements; exactly one is needed`, op.path);
  return nodes[0]!;
}

function add(definitions: FhirDefinitions, resource: Resource, op: Extract<FhirPathOperation, { type: 'add' }>): void {
  const target = single(select(resource, op.expression, op.path, op.where), op, 'adding');
  const typePath = typePathOf(target);
  const element = typePath ? childElement(definitions, typePath, op.name) : undefined;
  if (!typePath || !element) throw unprocessablePatch(`${op.where}: '${op.name}' is not an element of ${typePath ?? 'the selected element'}`, op.path);
  const fixedType =
    element.choiceBase !== undefined && op.name !== element.choiceBase ? typeOfSuffix(op.name.slice(element.choiceBase.length)) : undefined;
  const item = materialise(definitions, op.value, element, op.where, fixedType);
  const key = propertyFor(element, item.type);
  let container = childContainerOf(target);
  if (!container) {
    // A primitive without id/extensions yet: its children go in a new `_` sibling.
    const slot = slotOf(definitions, target, op.path);
    if (!slot || !isPrimitiveType(target.fhirNodeDataType ?? '')) throw unprocessablePatch(`${op.where}: cannot add to '${op.path}'`, op.path);
    container = {};
    const extKey = `_${slot.key}`;
    if (slot.index === undefined) {
      slot.container[extKey] = container;
    } else {
      const values = slot.container[slot.key];
      const exts = Array.isArray(slot.container[extKey]) ? (slot.container[extKey] as unknown[]) : [];
      while (exts.length < (Array.isArray(values) ? values.length : 0)) exts.push(null);
      exts[slot.index] = container;
      slot.container[extKey] = exts;
    }
  }
  if (isRepeating(element)) {
    appendTo(container, key, item);
    return;
  }
  const present =
    container[key] !== undefined || container[`_${key}`] !== undefined || (element.choiceBase !== undefined && hasChoice(container, element.choiceBase));
  if (present) throw unprocessablePatch(`${op.where}: ${op.name} already has a value and does not repeat; use replace`, op.path);
  setValue(container, key, item);
}

function insert(definitions: FhirDefinitions, resource: Resource, op: Extract<FhirPathOperation, { type: 'insert' }>): void {
  const { slot, length } = listOf(definitions, select(resource, op.expression, op.path, op.where), op.path, op.where);
  if (op.index > length) throw unprocessablePatch(`${op.where}: index ${op.index} is beyond the end of the list (${length} items)`, op.path);
  const item = materialise(definitions, op.value, slot.element, op.where);
  insertAt(slot.container, slot.key, op.index, item);
}

function remove(definitions: FhirDefinitions, resource: Resource, op: Extract<FhirPathOperation, { type: 'delete' }>): void {
  const nodes = select(resource, op.expression, op.path, op.where);
  if (nodes.length === 0) return; // "delete … (if found)"
  if (nodes.length > 1) throw unprocessablePatch(`${op.where}: '${op.path}' selects ${nodes.length} elements; only one can be deleted`, op.path);
  const slot = slotOf(definitions, nodes[0]!, op.path);
  if (!slot) throw unprocessablePatch(`${op.where}: the resource itself cannot be deleted by a patch`, op.path);
  removeSlot(definitions, slot, op.path);
}

function replace(definitions: FhirDefinitions, resource: Resource, op: Extract<FhirPathOperation, { type: 'replace' }>): void {
  const node = single(select(resource, op.expression, op.path, op.where), op, 'replacing');
  const slot = slotOf(definitions, node, op.path);
  if (!slot) throw unprocessablePatch(`${op.where}: the resource itself cannot be replaced by a patch; use update`, op.path);
  const item = materialise(definitions, op.value, slot.element, op.where);
  const key = propertyFor(slot.element, item.type);
  const { container, index } = slot;
  if (index === undefined) {
    // A choice element may change type: valueQuantity → valueString.
    delete container[slot.key];
    delete container[`_${slot.key}`];
    setValue(container, key, item);
    return;
  }
  const list = container[key];
  if (Array.isArray(list)) list.splice(index, 1);
  const exts = container[`_${key}`];
  if (Array.isArray(exts)) exts.splice(index, 1);
  insertAt(container, key, index, item);
}

function move(definitions: FhirDefinitions, resource: Resource, op: Extract<FhirPathOperation, { type: 'move' }>): void {
  const { slot, length } = listOf(definitions, select(resource, op.expression, op.path, op.where), op.path, op.where);
  for (const [name, value] of [['source', op.source], ['destination', op.destination]] as const) {
    if (value >= length) throw unprocessablePatch(`${op.where}: ${name} ${value} is beyond the end of the list (${length} items)`, op.path);
  }
  moveInList(slot, op.source, op.destination);
}

/** Applies the operations in order to `resource`, which is changed in place (pass a copy). */
export function applyFhirPathPatch(definitions: FhirDefinitions, resource: Resource, operations: readonly FhirPathOperation[]): Resource {
  for (const op of operations) {
    switch (op.type) {
      case 'add':
        add(definitions, resource, op);
        break;
      case 'insert':
        insert(definitions, resource, op);
        break;
      case 'delete':
        remove(definitions, resource, op);
        break;
      case 'replace':
        replace(definitions, resource, op);
        break;
      case 'move':
        move(definitions, resource, op);
        break;
    }
  }
  return resource;
}
