/**
 * Snapshots of our profiles (profiles/ holds differentials only): the base type's snapshot with
 * each differential element applied onto the element of the same id. Enough for the constraint
 * profiles we write (tighter cardinality, fixed and pattern values, bindings, invariants, types
 * narrowed); a differential that adds slices or elements the base does not have is refused when
 * the server starts, rather than turned into a snapshot that says less than the profile.
 */
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

/** Properties a differential element may set on the base element (others are refused). */
const MERGED = new Set([
  'id', 'path', 'short', 'definition', 'comment', 'requirements', 'alias', 'min', 'max', 'type', 'mustSupport',
  'binding', 'constraint', 'maxLength', 'condition', 'label', 'code', 'example',
]);
const isFixedOrPattern = (key: string) => key.startsWith('fixed') || key.startsWith('pattern');

const maxValue = (max: string | undefined) => (max === undefined || max === '*' ? Infinity : Number(max));

function apply(base: ElementDefinition, diff: ElementDefinition, profile: string): ElementDefinition {
  const element: ElementDefinition = { ...base };
  for (const [key, value] of Object.entries(diff)) {
    if (!MERGED.has(key) && !isFixedOrPattern(key)) throw new Error(`${profile}: ${diff.id} sets '${key}', which snapshot generation does not support`);
    if (key === 'constraint') element.constraint = [...(base.constraint ?? []), ...(value as ElementDefinition['constraint'])!];
    else (element as unknown as Record<string, unknown>)[key] = value;
  }
  if ((element.min ?? 0) < (base.min ?? 0)) throw new Error(`${profile}: ${diff.id} loosens min below the base's ${base.min}`);
  if (maxValue(element.max) > maxValue(base.max)) throw new Error(`${profile}: ${diff.id} loosens max beyond the base's ${base.max}`);
  return element;
}

/** `profile` with its snapshot generated from `base` (the StructureDefinition it constrains). */
export function withSnapshot(profile: StructureDefinition, base: StructureDefinition | undefined): StructureDefinition {
  if (profile.snapshot) return profile;
  const name = profile.url ?? profile.id ?? 'a profile';
  if (profile.derivation !== 'constraint') throw new Error(`${name}: only constraint profiles are supported in profiles/`);
  if (!base?.snapshot) throw new Error(`${name}: its base ${profile.baseDefinition} is not known`);
  if (base.type !== profile.type) throw new Error(`${name}: type ${profile.type} differs from its base's ${base.type}`);
  const elements = base.snapshot.element.map((e) => ({ ...e }));
  const byId = new Map(elements.map((e, i) => [e.id ?? e.path, i]));
  for (const diff of profile.differential?.element ?? []) {
    const id = diff.id ?? diff.path;
    if (diff.sliceName || id.includes(':')) throw new Error(`${name}: ${id} slices; write slicing profiles with a snapshot`);
    const at = byId.get(id);
    if (at === undefined) throw new Error(`${name}: ${id} is not an element of ${base.type}`);
    elements[at] = apply(elements[at]!, { ...diff, id, path: diff.path ?? id }, name);
  }
  return { ...profile, snapshot: { element: elements } };
}
