/**
 * `_summary` and `_elements` projections (FHIR R4 search.html#summary, #elements).
 * Pure: the input resource is never mutated, and the result shares no objects with it
 * (except `_summary=false`, which returns the input itself).
 */
import type { Coding, Meta, Resource } from '@medplum/fhirtypes';
import type { ElementInfo, FhirDefinitions } from './definitions';

export type SummaryMode = 'true' | 'text' | 'data' | 'false' | 'count';

export const SUBSETTED_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';
export const SUBSETTED_CODE = 'SUBSETTED';

type Json = Record<string, unknown>;

/** Kept in every projection. */
const ALWAYS_KEPT = new Set(['resourceType', 'id', 'meta']);

interface Projection {
  value: unknown;
  removed: boolean;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Summary elements, plus modifiers: R4 leaves `modifierExtension` (and a few nested modifiers)
 * out of the summary set, but dropping them would change the meaning of what is left.
 */
function inSummary(element: ElementInfo): boolean {
  return element.isSummary || element.isModifier;
}

/**
 * Keeps the summary properties of a backbone object (or array of them), recursing into the
 * resource's own BackboneElements and keeping datatype values whole.
 */
function summarise(value: unknown, path: string, defs: FhirDefinitions, alwaysKept?: ReadonlySet<string>): Projection {
  if (Array.isArray(value)) {
    let removed = false;
    const items = value.map((item) => {
      const projected = summarise(item, path, defs);
      removed ||= projected.removed;
      return projected.value;
    });
    return { value: items, removed };
  }
  if (!isObject(value)) return { value: structuredClone(value), removed: false };
  const out: Json = {};
  let removed = false;
  for (const [key, child] of Object.entries(value)) {
    if (alwaysKept?.has(key)) {
      out[key] = structuredClone(child);
      continue;
    }
    const element = defs.resolveProperty(path, key);
    if (!element || !inSummary(element)) {
      removed = true;
      continue;
    }
    if (element.childrenPath && !key.startsWith('_')) {
      const projected = summarise(child, element.childrenPath, defs);
      removed ||= projected.removed;
      out[key] = projected.value;
    } else {
      out[key] = structuredClone(child);
    }
  }
  return { value: out, removed };
}

/** Keeps the top-level properties `keep` accepts (whole), plus resourceType, id and meta. */
function keepTopLevel(resource: Json, type: string, defs: FhirDefinitions, keep: (element: ElementInfo) => boolean): Projection {
  const out: Json = {};
  let removed = false;
  for (const [key, value] of Object.entries(resource)) {
    const element = ALWAYS_KEPT.has(key) ? undefined : defs.resolveProperty(type, key);
    if (ALWAYS_KEPT.has(key) || (element && keep(element))) out[key] = structuredClone(value);
    else removed = true;
  }
  return { value: out, removed };
}

function isSubsetted(coding: Coding): boolean {
  return coding.system === SUBSETTED_SYSTEM && coding.code === SUBSETTED_CODE;
}

/** Adds the SUBSETTED tag (once) to a projection result the caller already owns. */
function markSubsetted(resource: Json): Resource {
  const meta: Meta = isObject(resource.meta) ? (resource.meta as Meta) : {};
  const tags = meta.tag ?? [];
  if (!tags.some(isSubsetted)) meta.tag = [...tags, { system: SUBSETTED_SYSTEM, code: SUBSETTED_CODE }];
  // resourceType, id and meta first, as servers usually write them
  const { resourceType, id, meta: _old, ...rest } = resource;
  return { resourceType, ...(id === undefined ? {} : { id }), meta, ...rest } as unknown as Resource;
}

function finish(projection: Projection): Resource {
  const resource = projection.value as Json;
  return projection.removed ? markSubsetted(resource) : (resource as unknown as Resource);
}

/**
 * `_summary`: `true` keeps summary elements (recursing into BackboneElements), `text` keeps
 * text, id, meta and mandatory top-level elements, `data` removes text, `false` returns the
 * resource unchanged. `count` is a search-level mode (a Bundle without entries); applied to a
 * single resource it behaves as `true`. Adds the SUBSETTED tag when anything was removed.
 */
export function applySummary(resource: Resource, mode: SummaryMode, defs: FhirDefinitions): Resource {
  const json = resource as unknown as Json;
  const type = resource.resourceType;
  switch (mode) {
    case 'false':
      return resource;
    case 'data': {
      if (!('text' in json)) return structuredClone(resource);
      const { text: _text, ...rest } = json;
      return finish({ value: structuredClone(rest), removed: true });
    }
    case 'text': {
      const mandatory = new Set(defs.mandatoryTopLevel(type));
      return finish(keepTopLevel(json, type, defs, (element) => element.name === 'text' || mandatory.has(element.name)));
    }
    case 'true':
    case 'count':
      return finish(summarise(json, type, defs, ALWAYS_KEPT));
  }
}

/**
 * Turns one `_elements` entry into a top-level element name of `type`: accepts `name`,
 * `Patient.name`, `value`, `value[x]` and `valueQuantity`; a deeper path (`name.given`)
 * selects its top-level element. Undefined for unknown names or another type's elements.
 */
function requestedElement(entry: string, type: string, defs: FhirDefinitions): string | undefined {
  const segments = entry.trim().split('.');
  if (segments.length > 1 && segments[0] === type) segments.shift();
  const name = segments[0];
  if (!name || /^[A-Z]/.test(name)) return undefined;
  const element =
    defs.getElement(`${type}.${name}`) ??
    defs.getElement(`${type}.${name}[x]`) ??
    defs.resolveProperty(type, name);
  return element && element.path.indexOf('.') === element.path.lastIndexOf('.') ? element.name : undefined;
}

/**
 * `_elements`: keeps the listed top-level elements plus resourceType, id, meta and the
 * mandatory top-level elements; unknown names are ignored. Adds the SUBSETTED tag when
 * anything was removed.
 */
export function applyElements(resource: Resource, elements: string[], defs: FhirDefinitions): Resource {
  const type = resource.resourceType;
  const keep = new Set(defs.mandatoryTopLevel(type));
  for (const entry of elements) {
    const name = requestedElement(entry, type, defs);
    if (name) keep.add(name);
  }
  return finish(keepTopLevel(resource as unknown as Json, type, defs, (element) => keep.has(element.name)));
}
