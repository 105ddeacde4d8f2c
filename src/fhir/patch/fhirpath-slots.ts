/**
 * Where a selected FHIRPath node lives in the resource JSON: the object that holds it, the JSON
 * property (with the choice suffix: `deceasedBoolean`), the index when the property is an array,
 * and its element definition. A primitive's id/extensions live in the `_property` sibling, and a
 * primitive's own children (`birthDate.extension`) live inside that sibling object.
 */
import type { ElementInfo, FhirDefinitions } from '../definitions';
import { unprocessablePatch } from './errors';
import type { ResourceNode } from './fhirpath-select';
import { childElement, suffixOfType, tidyArrays } from './fhirpath-values';

export interface Slot {
  node: ResourceNode;
  container: Record<string, unknown>;
  key: string;
  index?: number;
  element: ElementInfo;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The model path whose children describe a node's children (`Patient`, `Patient.contact`, `HumanName`, `date`). */
export function typePathOf(node: ResourceNode): string | undefined {
  const data: unknown = node.data;
  if (isRecord(data) && typeof data.resourceType === 'string') return data.resourceType;
  return node.path ?? undefined;
}

/** The object holding a node's children: its data, or for a primitive its `_` sibling (if any). */
export function childContainerOf(node: ResourceNode): Record<string, unknown> | undefined {
  if (isRecord(node.data)) return node.data;
  return isRecord(node._data) ? node._data : undefined;
}

function indexOf(node: ResourceNode): number | undefined {
  return typeof node.index === 'number' ? node.index : undefined;
}

/** The slot of a node; undefined for the resource itself. */
export function slotOf(definitions: FhirDefinitions, node: ResourceNode, path: string): Slot | undefined {
  const parent = node.parentResNode;
  if (!parent) return undefined;
  const container = childContainerOf(parent);
  const parentType = typePathOf(parent);
  const prop = node.propName ?? undefined;
  if (!container || !parentType || !prop) throw unprocessablePatch(`Cannot locate '${path}' in the resource`, path);
  const element = childElement(definitions, parentType, prop);
  if (!element) throw unprocessablePatch(`'${path}' selects ${parentType}.${prop}, which has no definition`, path);
  let key = prop;
  if (!(prop in container) && !(`_${prop}` in container) && element.choiceBase !== undefined) {
    const typed = node.fhirNodeDataType ? `${element.choiceBase}${suffixOfType(node.fhirNodeDataType)}` : undefined;
    key =
      (typed && (typed in container || `_${typed}` in container) ? typed : undefined) ??
      Object.keys(container).find((k) => {
        const bare = k.startsWith('_') ? k.slice(1) : k;
        return bare.startsWith(element.choiceBase!) && /^[A-Z]/.test(bare.slice(element.choiceBase!.length));
      })?.replace(/^_/, '') ??
      prop;
  }
  const index = indexOf(node);
  return { node, container, key, element, ...(index === undefined ? {} : { index }) };
}

/** Removes the element at a slot (value and `_` sibling), then empty objects left above it. */
export function removeSlot(definitions: FhirDefinitions, slot: Slot, path: string): void {
  const { container, key, index } = slot;
  if (index === undefined) {
    delete container[key];
    delete container[`_${key}`];
  } else {
    for (const k of [key, `_${key}`]) {
      const list = container[k];
      if (Array.isArray(list) && index < list.length) list.splice(index, 1);
    }
    tidyArrays(container, key);
  }
  pruneUpwards(definitions, slot.node.parentResNode, container, path);
}

/** An object a removal left empty is itself removed (FHIR JSON has no empty objects). */
function pruneUpwards(definitions: FhirDefinitions, owner: ResourceNode | null, container: Record<string, unknown>, path: string): void {
  if (!owner || Object.keys(container).length > 0) return;
  const slot = slotOf(definitions, owner, path);
  if (!slot) return; // the resource itself keeps resourceType
  const hasValue = owner.data !== null && owner.data !== undefined && !isRecord(owner.data);
  if (!hasValue) {
    removeSlot(definitions, slot, path);
    return;
  }
  // A primitive whose `_` sibling is now empty keeps its value and loses the sibling.
  const extKey = `_${slot.key}`;
  if (slot.index === undefined) {
    delete slot.container[extKey];
  } else {
    const exts = slot.container[extKey];
    if (Array.isArray(exts)) exts[slot.index] = null;
    tidyArrays(slot.container, slot.key);
  }
}

/** The whole list a path selects (insert and move): all nodes from one array, in order. */
export function listOf(definitions: FhirDefinitions, nodes: ResourceNode[], path: string, where: string): { slot: Slot; length: number } {
  if (nodes.length === 0) throw unprocessablePatch(`${where}: no content found at ${path}`, path);
  const slots = nodes.map((node) => slotOf(definitions, node, path));
  const first = slots[0];
  if (!first || first.index === undefined) throw unprocessablePatch(`${where}: '${path}' does not select a list (a repeating element)`, path);
  const values = first.container[first.key];
  const exts = first.container[`_${first.key}`];
  const length = Math.max(Array.isArray(values) ? values.length : 0, Array.isArray(exts) ? exts.length : 0);
  const whole =
    slots.length === length &&
    slots.every((s, i) => s !== undefined && s.container === first.container && s.key === first.key && s.index === i);
  if (!whole) throw unprocessablePatch(`${where}: '${path}' must select a whole list, not ${nodes.length} item(s) of it`, path);
  return { slot: first, length };
}

/** Moves an item of a list (and of its `_` sibling array) from `source` to `destination`. */
export function moveInList(slot: Slot, source: number, destination: number): void {
  for (const k of [slot.key, `_${slot.key}`]) {
    const list = slot.container[k];
    if (!Array.isArray(list)) continue;
    while (list.length <= Math.max(source, destination)) list.push(null);
    const [item] = list.splice(source, 1);
    list.splice(destination, 0, item);
  }
  tidyArrays(slot.container, slot.key);
}
