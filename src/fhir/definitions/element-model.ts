/**
 * An index over StructureDefinition snapshots: elements by path, children by parent path,
 * and JSON property → element resolution (choice types `value[x]`, primitive `_x` siblings,
 * contentReference). Built lazily, once per type.
 */
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import type { ElementInfo } from './types';

const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const NO_ELEMENTS: readonly ElementInfo[] = [];
const NO_NAMES: readonly string[] = [];
const NO_PATHS: ReadonlySet<string> = new Set<string>();

interface TypeIndex {
  readonly byPath: ReadonlyMap<string, ElementInfo>;
  readonly children: ReadonlyMap<string, readonly ElementInfo[]>;
  readonly summaryPaths: ReadonlySet<string>;
  readonly mandatoryTopLevel: readonly string[];
}

function typeCodes(element: ElementDefinition): string[] {
  return (element.type ?? []).map((t) => {
    const fhirType = t.extension?.find((e) => e.url === FHIR_TYPE_EXTENSION)?.valueUrl;
    return fhirType ?? t.code ?? '';
  });
}

function toInfo(element: ElementDefinition, path: string, hasChildren: boolean): ElementInfo {
  const name = path.slice(path.lastIndexOf('.') + 1);
  const reference = element.contentReference;
  const childrenPath = reference ? reference.slice(reference.indexOf('#') + 1) : hasChildren ? path : undefined;
  return {
    path,
    name,
    ...(name.endsWith('[x]') ? { choiceBase: name.slice(0, -3) } : {}),
    min: element.min ?? 0,
    max: element.max ?? '*',
    isSummary: element.isSummary === true,
    isModifier: element.isModifier === true,
    typeCodes: typeCodes(element),
    ...(childrenPath ? { childrenPath } : {}),
  };
}

function buildIndex(sd: StructureDefinition): TypeIndex {
  const elements = (sd.snapshot?.element ?? []).filter((e) => e.path && !e.sliceName);
  const parents = new Set<string>();
  for (const e of elements) {
    const path = e.path as string;
    const dot = path.lastIndexOf('.');
    if (dot > 0) parents.add(path.slice(0, dot));
  }
  const byPath = new Map<string, ElementInfo>();
  const children = new Map<string, ElementInfo[]>();
  const summaryPaths = new Set<string>();
  const mandatoryTopLevel: string[] = [];
  for (const e of elements) {
    const path = e.path as string;
    const info = toInfo(e, path, parents.has(path));
    byPath.set(path, info);
    if (info.isSummary) summaryPaths.add(path);
    const dot = path.lastIndexOf('.');
    if (dot < 0) continue; // the root element
    const parent = path.slice(0, dot);
    let siblings = children.get(parent);
    if (!siblings) children.set(parent, (siblings = []));
    siblings.push(info);
    if (dot === path.indexOf('.') && info.min >= 1) mandatoryTopLevel.push(info.name);
  }
  return { byPath, children, summaryPaths, mandatoryTopLevel };
}

/** `dateTime` → `DateTime`: the suffix a choice element uses for a type. */
function choiceSuffix(code: string): string {
  return code.charAt(0).toUpperCase() + code.slice(1);
}

export class ElementModel {
  private readonly indexes = new Map<string, TypeIndex | null>();

  constructor(private readonly byType: (type: string) => StructureDefinition | undefined) {}

  private index(type: string): TypeIndex | undefined {
    let index = this.indexes.get(type);
    if (index === undefined) {
      const sd = this.byType(type);
      index = sd?.snapshot ? buildIndex(sd) : null;
      this.indexes.set(type, index);
    }
    return index ?? undefined;
  }

  private indexFor(path: string): TypeIndex | undefined {
    const dot = path.indexOf('.');
    return this.index(dot < 0 ? path : path.slice(0, dot));
  }

  summaryPaths(type: string): ReadonlySet<string> {
    return this.index(type)?.summaryPaths ?? NO_PATHS;
  }

  mandatoryTopLevel(type: string): readonly string[] {
    return this.index(type)?.mandatoryTopLevel ?? NO_NAMES;
  }

  getElement(path: string): ElementInfo | undefined {
    return this.indexFor(path)?.byPath.get(path);
  }

  childElements(path: string): readonly ElementInfo[] {
    return this.indexFor(path)?.children.get(path) ?? NO_ELEMENTS;
  }

  resolveProperty(parentPath: string, jsonKey: string): ElementInfo | undefined {
    const index = this.indexFor(parentPath);
    if (!index) return undefined;
    const key = jsonKey.startsWith('_') ? jsonKey.slice(1) : jsonKey;
    const direct = index.byPath.get(`${parentPath}.${key}`);
    if (direct) return direct;
    for (const child of index.children.get(parentPath) ?? NO_ELEMENTS) {
      const base = child.choiceBase;
      if (base === undefined || !key.startsWith(base)) continue;
      const suffix = key.slice(base.length);
      if (child.typeCodes.some((code) => choiceSuffix(code) === suffix)) return child;
    }
    return undefined;
  }
}
