/** The values an instance holds for one element: choice types, arrays and `_x` primitive siblings. */
import type { CompiledElement } from './model';

export interface Item {
  /** The JSON value (undefined for a primitive with only its `_x` extension part). */
  readonly value: unknown;
  /** The `_x` sibling (id/extension of a primitive), if any. */
  readonly extra?: unknown;
  /** The FHIR type of this value (the choice type for `value[x]`). */
  readonly type: string;
  /** FHIRPath location, e.g. `Patient.contact[0].name`. */
  readonly expression: string;
  /** The JSON property it was found under (`valueQuantity`). */
  readonly key: string;
}

export interface Collected {
  readonly items: Item[];
  /** Properties holding an empty array (`"coding": []`). */
  readonly emptyArrays: string[];
}

/** `_name` per property name, made once: add() runs for every element of a type on every object. */
const extraKeys = new Map<string, string>();
function extraKey(key: string): string {
  let extra = extraKeys.get(key);
  if (extra === undefined) extraKeys.set(key, (extra = `_${key}`));
  return extra;
}

function add(out: Collected, obj: Record<string, unknown>, key: string, type: string, parent: string, element: CompiledElement): void {
  const value = obj[key];
  const extra = obj[extraKey(key)];
  if (value === undefined && extra === undefined) return;
  const name = element.choiceBase === undefined ? key : element.choiceBase;
  const suffix = element.choiceBase === undefined ? '' : `.ofType(${type})`;
  if (Array.isArray(value) || Array.isArray(extra)) {
    const values = Array.isArray(value) ? value : [];
    const extras = Array.isArray(extra) ? extra : [];
    if (values.length === 0 && extras.length === 0) {
      out.emptyArrays.push(`${parent}.${name}`);
      return;
    }
    const n = Math.max(values.length, extras.length);
    for (let i = 0; i < n; i++) {
      const v: unknown = values[i] ?? undefined;
      const e: unknown = extras[i] ?? undefined;
      if (v === null && (e === null || e === undefined)) continue;
      out.items.push({ value: v ?? undefined, extra: e || undefined, type, expression: `${parent}.${name}[${i}]${suffix}`, key });
    }
    return;
  }
  out.items.push({ value, extra: extra || undefined, type, expression: `${parent}.${name}${suffix}`, key });
}

/**
 * An optional, non-choice element `obj` does not hold, with no required slices: nothing to check.
 * Most elements of a type are absent from most objects, so the walk skips them before collecting.
 */
export function skippable(obj: Record<string, unknown>, element: CompiledElement): boolean {
  if (element.min > 0 || element.choiceTypes !== undefined || element.choiceBase !== undefined) return false;
  if (obj[element.name] !== undefined || obj[extraKey(element.name)] !== undefined) return false;
  return !element.slices.some((slice) => slice.min > 0);
}

/** Everything under `obj` that belongs to `element`. */
export function collect(obj: Record<string, unknown>, element: CompiledElement, parent: string): Collected {
  const out: Collected = { items: [], emptyArrays: [] };
  const choices = element.choiceTypes;
  if (choices === undefined) {
    add(out, obj, element.name, element.types[0] ?? '', parent, element);
    return out;
  }
  // A choice: look at the object's few properties, not at every type it allows (~50 for value[x]).
  for (const property of Object.keys(obj)) {
    const key = property.charCodeAt(0) === 95 /* _ */ ? property.slice(1) : property;
    const type = choices.get(key);
    if (type === undefined || (key !== property && key in obj)) continue; // `_valueX` goes with valueX
    add(out, obj, key, type, parent, element);
  }
  return out;
}

/**
 * Properties of a choice element whose type the profile does not allow (`valueString` where only
 * `valueQuantity` is): the base schema accepts every R4 type, a profile may narrow them.
 */
export function disallowedChoices(obj: Record<string, unknown>, element: CompiledElement, siblings: readonly CompiledElement[]): string[] {
  const base = element.choiceBase;
  if (base === undefined) return [];
  const allowed = element.choiceTypes ?? new Map<string, string>();
  return Object.keys(obj)
    .map((key) => (key.startsWith('_') ? key.slice(1) : key))
    .filter((key) => key.length > base.length && key.startsWith(base) && /^[A-Z]/.test(key.slice(base.length)))
    .filter((key) => !allowed.has(key) && !siblings.some((s) => s.name === key || (s !== element && s.choiceBase !== undefined && key.startsWith(s.choiceBase) && s.choiceBase.length > base.length)));
}
