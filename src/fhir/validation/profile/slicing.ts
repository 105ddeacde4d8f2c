/**
 * Slicing (profiling.html#slicing): assigns each item of a sliced element to the slice its
 * discriminators select (value, pattern, type, exists), then checks slice cardinality and closed
 * slicing. Discriminator paths are simple FHIRPath: dotted names, `$this`, `extension('url')`.
 */
import type { ElementDefinitionSlicingDiscriminator } from '@medplum/fhirtypes';
import type { Item } from './items';
import type { CompiledElement } from './model';
import { choiceSuffix, matchesPattern } from './values';

const EXTENSION_CALL = /^extension\('([^']*)'\)$/;

/** The values at a discriminator path inside a JSON value. */
function navigate(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  if (path === '$this') return current;
  for (const raw of path.split(/\.(?![^(]*\))/)) {
    const segment = raw.replace(/^\$this$/, '');
    if (!segment) continue;
    const ext = EXTENSION_CALL.exec(segment);
    const next: unknown[] = [];
    for (const node of current) {
      if (typeof node !== 'object' || node === null) continue;
      const record = node as Record<string, unknown>;
      if (ext) {
        const list = Array.isArray(record.extension) ? (record.extension as { url?: string }[]) : [];
        next.push(...list.filter((e) => e.url === ext[1]));
        continue;
      }
      const child = record[segment];
      if (child === undefined) continue;
      next.push(...(Array.isArray(child) ? child : [child]));
    }
    current = next;
  }
  return current;
}

/** The element describing `path` inside a slice (children by name; `$this` is the slice). */
function elementAt(slice: CompiledElement, path: string): CompiledElement | undefined {
  let element: CompiledElement | undefined = slice;
  for (const segment of path.split(/\.(?![^(]*\))/)) {
    if (!element || segment === '$this') continue;
    const ext = EXTENSION_CALL.exec(segment);
    if (ext) {
      element = element.children.find((c) => c.name === 'extension');
      element = element?.slices.find((s) => s.typeProfiles.includes(ext[1]!)) ?? undefined;
      continue;
    }
    element = element.children.find((c) => c.name === segment || c.choiceBase === segment);
  }
  return element;
}

function expectedValue(slice: CompiledElement, path: string): unknown {
  const element = elementAt(slice, path);
  if (element?.fixed !== undefined) return element.fixed;
  if (element?.pattern !== undefined) return element.pattern;
  // Extension slices often leave `url` unexpanded: the extension's profile names it.
  if (path === 'url' && slice.typeProfiles[0]) return slice.typeProfiles[0];
  return undefined;
}

function typeOf(item: Item, value: unknown): string {
  if (typeof value === 'object' && value !== null && typeof (value as { resourceType?: unknown }).resourceType === 'string') {
    return (value as { resourceType: string }).resourceType;
  }
  return item.type;
}

function matchesDiscriminator(item: Item, slice: CompiledElement, d: ElementDefinitionSlicingDiscriminator): boolean | undefined {
  const path = d.path ?? '$this';
  const found = navigate(item.value, path);
  switch (d.type) {
    case 'value':
    case 'pattern': {
      const expected = expectedValue(slice, path);
      if (expected === undefined) return undefined;
      return found.some((v) => matchesPattern(v, expected));
    }
    case 'exists': {
      const element = elementAt(slice, path);
      if (!element) return undefined;
      return element.min > 0 ? found.length > 0 : element.max === 0 ? found.length === 0 : undefined;
    }
    case 'type': {
      const element = elementAt(slice, path);
      if (!element || element.types.length === 0) return undefined;
      const types = path === '$this' ? [item.type] : found.map((v) => typeOf(item, v));
      return types.some((t) => element.types.some((e) => e === t || choiceSuffix(e) === choiceSuffix(t)));
    }
    default:
      return undefined; // profile discriminators need conformsTo(): not evaluated
  }
}

/** The slice each item belongs to (undefined: no slice matched). */
export function assignSlices(items: readonly Item[], slices: readonly CompiledElement[], discriminators: readonly ElementDefinitionSlicingDiscriminator[]): (CompiledElement | undefined)[] {
  return items.map((item) =>
    slices.find((slice) => {
      if (discriminators.length === 0) return false;
      return discriminators.every((d) => matchesDiscriminator(item, slice, d) === true);
    }),
  );
}
