/**
 * One CodeSystem, indexed for lookups and subsumption: every concept by code, with its parents
 * and children. The hierarchy comes from nested `concept` elements and from the standard
 * `parent`/`child` concept properties (codesystem.html#hierarchy); R4 reads it as is-a unless
 * the CodeSystem says otherwise, and we treat every hierarchy as subsumption like the reference
 * servers do.
 */
import type { CodeSystem, CodeSystemConcept, CodeSystemConceptDesignation, CodeSystemConceptProperty } from '@medplum/fhirtypes';

export interface IndexedConcept {
  code: string;
  display?: string;
  definition?: string;
  designation?: CodeSystemConceptDesignation[];
  property: CodeSystemConceptProperty[];
  parents: string[];
  children: string[];
}

/** A property's value as text, for `=`/`in`/`regex` filters and $lookup. */
export function propertyText(property: CodeSystemConceptProperty): string | undefined {
  const p = property as unknown as Record<string, unknown>;
  for (const key of ['valueCode', 'valueString', 'valueBoolean', 'valueInteger', 'valueDecimal', 'valueDateTime']) {
    if (p[key] !== undefined) return String(p[key]);
  }
  return property.valueCoding?.code;
}

export class CodeSystemIndex {
  readonly url: string;
  readonly version: string | undefined;
  /** Only a `complete` CodeSystem can be enumerated or used to say a code does not exist. */
  readonly complete: boolean;
  readonly caseSensitive: boolean;
  readonly name: string | undefined;
  private readonly concepts = new Map<string, IndexedConcept>();
  /** Lower-cased code → code, for case-insensitive systems. */
  private readonly folded = new Map<string, string>();

  constructor(cs: CodeSystem) {
    this.url = cs.url ?? '';
    this.version = cs.version;
    this.name = cs.title ?? cs.name;
    this.complete = cs.content === 'complete';
    this.caseSensitive = cs.caseSensitive !== false;
    this.add(cs.concept ?? [], undefined);
    for (const concept of this.concepts.values()) {
      for (const property of concept.property) {
        const other = property.valueCode ?? property.valueCoding?.code;
        if (!other || other === concept.code) continue;
        if (property.code === 'parent') this.link(other, concept.code);
        else if (property.code === 'child') this.link(concept.code, other);
      }
    }
  }

  private add(concepts: readonly CodeSystemConcept[], parent: string | undefined): void {
    for (const c of concepts) {
      if (!c.code) continue;
      let entry = this.concepts.get(c.code);
      if (!entry) {
        entry = { code: c.code, display: c.display, definition: c.definition, designation: c.designation, property: c.property ?? [], parents: [], children: [] };
        this.concepts.set(c.code, entry);
        this.folded.set(c.code.toLowerCase(), c.code);
      }
      if (parent !== undefined) this.link(parent, c.code);
      if (c.concept) this.add(c.concept, c.code);
    }
  }

  private link(parent: string, child: string): void {
    const p = this.concepts.get(parent);
    const c = this.concepts.get(child);
    if (!p || !c || p.children.includes(child)) return;
    p.children.push(child);
    c.parents.push(parent);
  }

  get size(): number {
    return this.concepts.size;
  }

  get(code: string): IndexedConcept | undefined {
    const found = this.concepts.get(code);
    if (found || this.caseSensitive) return found;
    const folded = this.folded.get(code.toLowerCase());
    return folded === undefined ? undefined : this.concepts.get(folded);
  }

  all(): IterableIterator<IndexedConcept> {
    return this.concepts.values();
  }

  /** `code` and every concept below it (is-a), breadth first; empty when `code` is unknown. */
  descendants(code: string, includeSelf = true): string[] {
    return this.walk(code, includeSelf, (c) => c.children);
  }

  /** `code` and every concept above it; empty when `code` is unknown. */
  ancestors(code: string, includeSelf = true): string[] {
    return this.walk(code, includeSelf, (c) => c.parents);
  }

  /** Whether `a` subsumes `b` (a is b or an ancestor of b). */
  subsumes(a: string, b: string): boolean {
    const start = this.get(a)?.code;
    return start !== undefined && this.ancestors(b).includes(start);
  }

  /** Whether the concept carries `abstract`/`notSelectable` = true. */
  isAbstract(concept: IndexedConcept): boolean {
    return concept.property.some((p) => (p.code === 'notSelectable' || p.code === 'abstract') && p.valueBoolean === true);
  }

  /** Whether the concept is retired or inactive. */
  isInactive(concept: IndexedConcept): boolean {
    return concept.property.some((p) => (p.code === 'status' && (p.valueCode === 'retired' || p.valueCode === 'inactive')) || (p.code === 'inactive' && p.valueBoolean === true));
  }

  private walk(code: string, includeSelf: boolean, next: (c: IndexedConcept) => string[]): string[] {
    const start = this.get(code);
    if (!start) return [];
    const seen = new Set<string>([start.code]);
    const queue = [start.code];
    for (let i = 0; i < queue.length; i++) {
      for (const other of next(this.concepts.get(queue[i]!)!)) {
        if (seen.has(other)) continue;
        seen.add(other);
        queue.push(other);
      }
    }
    return includeSelf ? queue : queue.slice(1);
  }
}
