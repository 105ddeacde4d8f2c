/** StructureDefinition snapshot → CompiledProfile (see model.ts), by element id. */
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import type { CompiledBinding, CompiledConstraint, CompiledElement, CompiledProfile } from './model';
import { choiceSuffix } from './values';

const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

function typeCode(type: NonNullable<ElementDefinition['type']>[number]): string {
  const fhirType = type.extension?.find((e) => e.url === FHIR_TYPE_EXTENSION)?.valueUrl;
  return fhirType ?? type.code ?? '';
}

/** The `fixed…` or `pattern…` value of an element, if any. */
function prefixed(element: ElementDefinition, prefix: 'fixed' | 'pattern'): unknown {
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith(prefix) && key.length > prefix.length && /[A-Z]/.test(key.charAt(prefix.length))) return value;
  }
  return undefined;
}

function binding(element: ElementDefinition): CompiledBinding | undefined {
  const b = element.binding;
  if (!b?.valueSet || (b.strength !== 'required' && b.strength !== 'extensible')) return undefined;
  return { strength: b.strength, valueSet: b.valueSet };
}

const BEST_PRACTICE = 'http://hl7.org/fhir/StructureDefinition/elementdefinition-bestpractice';

/**
 * Error and warning constraints. Best-practice ones (dom-6 "should have narrative"…) are left out:
 * they are guidance, and reporting them would flag almost every resource.
 */
function constraints(element: ElementDefinition): CompiledConstraint[] {
  return (element.constraint ?? []).flatMap((c) =>
    c.key && c.expression && !c.extension?.some((e) => e.url === BEST_PRACTICE && e.valueBoolean === true) && (c.severity === 'error' || c.severity === 'warning')
      ? [{ key: c.key, severity: c.severity, human: c.human ?? c.key, expression: c.expression }]
      : [],
  );
}

function compileElement(element: ElementDefinition): CompiledElement {
  const path = element.path ?? '';
  const name = path.slice(path.lastIndexOf('.') + 1);
  const max = element.max ?? '*';
  const fixed = prefixed(element, 'fixed');
  const pattern = prefixed(element, 'pattern');
  const bound = binding(element);
  const reference = element.contentReference;
  const types = (element.type ?? []).map(typeCode);
  const choiceBase = name.endsWith('[x]') ? name.slice(0, -3) : undefined;
  return {
    path,
    name,
    ...(choiceBase === undefined ? {} : { choiceBase, choiceTypes: new Map(types.map((t) => [`${choiceBase}${choiceSuffix(t)}`, t])) }),
    ...(element.sliceName ? { sliceName: element.sliceName } : {}),
    min: element.min ?? 0,
    max: max === '*' ? Infinity : Number(max),
    maxText: max,
    types,
    typeProfiles: (element.type ?? []).flatMap((t) => t.profile ?? []),
    ...(fixed === undefined ? {} : { fixed }),
    ...(pattern === undefined ? {} : { pattern }),
    ...(bound ? { binding: bound } : {}),
    constraints: constraints(element),
    ...(reference ? { contentReference: reference.slice(reference.indexOf('#') + 1) } : {}),
    children: [],
    ...(element.slicing
      ? { slicing: { discriminators: element.slicing.discriminator ?? [], rules: element.slicing.rules ?? 'open' } }
      : {}),
    slices: [],
    source: element,
  };
}

/** The id of the element's parent: `Patient.identifier:mrn.system` → `Patient.identifier:mrn`. */
function parentId(id: string): string | undefined {
  const dot = id.lastIndexOf('.');
  return dot < 0 ? undefined : id.slice(0, dot);
}

export function compileProfile(sd: StructureDefinition): CompiledProfile {
  const elements = sd.snapshot?.element ?? [];
  const byId = new Map<string, CompiledElement>();
  const byPath = new Map<string, CompiledElement>();
  let root: CompiledElement | undefined;
  for (const element of elements) {
    const compiled = compileElement(element);
    const id = element.id ?? (element.sliceName ? `${element.path}:${element.sliceName}` : element.path ?? '');
    byId.set(id, compiled);
    if (!root) {
      root = compiled;
      byPath.set(compiled.path, compiled);
      continue;
    }
    const colon = id.lastIndexOf(':');
    if (element.sliceName && colon > id.lastIndexOf('.')) {
      // A slice: it hangs under its slicing root (`Patient.identifier` for `Patient.identifier:mrn`).
      const base = byId.get(id.slice(0, colon));
      if (base) base.slices.push(compiled);
      continue;
    }
    const parent = byId.get(parentId(id) ?? '');
    if (!parent) continue;
    parent.children.push(compiled);
    if (!element.sliceName && !id.includes(':')) byPath.set(compiled.path, compiled);
  }
  if (!root) throw new Error(`StructureDefinition ${sd.url} has no snapshot`);
  const derivedFromBase = sd.derivation === 'constraint' && sd.baseDefinition === `http://hl7.org/fhir/StructureDefinition/${sd.type}`;
  return { url: sd.url ?? '', type: sd.type ?? root.path, root, byPath, derivedFromBase };
}
