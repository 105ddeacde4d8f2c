/**
 * ValueSet expansion (valueset.html#expansion): the codes a ValueSet stands for, from its
 * `compose` (includes unioned, each include's system/concepts/filters intersected with its value
 * sets, then excludes removed), or from a stored `expansion` when it has no compose.
 *
 * An include of a whole code system stays symbolic ("every code of S") until someone needs the
 * list: search can test "any code with system S" directly, and SNOMED or LOINC, which we do not
 * hold, can still be included whole. Only enumerating such a set ($expand) or removing single
 * codes from it needs the CodeSystem's full content.
 */
import type { ValueSet, ValueSetComposeInclude, ValueSetExpansionContains } from '@medplum/fhirtypes';
import { errors, FhirError, issue } from '../fhir/outcomes';
import { applyFilter } from './filters';
import type { TerminologyResolver } from './terminology-resolver';
import { RESOLUTION_CACHE_MS } from './terminology-resolver';

export interface ExpansionConcept {
  system: string;
  version?: string;
  code: string;
  display?: string;
  abstract?: boolean;
  inactive?: boolean;
}

/** A set of codes: listed concepts plus whole code systems (URL → version or ''). */
export interface CodeSet {
  concepts: Map<string, ExpansionConcept>;
  wholeSystems: Map<string, string>;
}

/** The most codes an expansion may hold: beyond it the answer is too costly, not truncated. */
export const MAX_EXPANSION = 20_000;
const MAX_DEPTH = 8;

const key = (system: string, code: string) => `${system}|${code}`;

function emptySet(): CodeSet {
  return { concepts: new Map(), wholeSystems: new Map() };
}

function tooCostly(what: string): FhirError {
  return new FhirError([issue('too-costly', `${what} has more than ${MAX_EXPANSION} codes; too many to expand`)], 400);
}

function notKnown(kind: string, url: string): FhirError {
  return new FhirError([issue('not-found', `${kind} '${url.slice(0, 120)}' is not known to this server`)], 400);
}

/** Shared expansions kept, at most (the largest hold a few thousand codes). */
const MAX_SHARED = 100;

export class ValueSetExpander {
  private readonly shared = new Map<string, { at: number; generation: number; set: Promise<CodeSet> }>();

  constructor(private readonly resolver: TerminologyResolver) {}

  /**
   * expandCanonical, remembered as long as the resolutions it rests on (RESOLUTION_CACHE_MS, or
   * until a terminology write): for readers that only look (binding checks), which must never
   * change the set they get.
   */
  expandShared(canonical: string): Promise<CodeSet> {
    const now = Date.now();
    let entry = this.shared.get(canonical);
    if (!entry || entry.generation !== this.resolver.generation || now - entry.at > RESOLUTION_CACHE_MS) {
      const set = this.expandCanonical(canonical);
      entry = { at: now, generation: this.resolver.generation, set };
      if (this.shared.size >= MAX_SHARED) this.shared.delete(this.shared.keys().next().value!);
      this.shared.set(canonical, entry);
    }
    return entry.set;
  }

  /** The codes of the ValueSet with this canonical URL (`url` or `url|version`). */
  async expandCanonical(canonical: string, trail: readonly string[] = []): Promise<CodeSet> {
    if (trail.length > MAX_DEPTH || trail.includes(canonical)) throw errors.invalid(`ValueSet '${canonical.slice(0, 120)}' includes value sets in a cycle or too deeply`);
    const vs = await this.resolver.valueSet(canonical);
    if (!vs) throw notKnown('ValueSet', canonical);
    return this.expand(vs, [...trail, canonical]);
  }

  /** The codes of this ValueSet. */
  async expand(vs: ValueSet, trail: readonly string[] = []): Promise<CodeSet> {
    const set = emptySet();
    if (!vs.compose) {
      if (!vs.expansion) throw errors.invalid(`ValueSet '${(vs.url ?? vs.id ?? '').slice(0, 120)}' has neither compose nor expansion`);
      addContains(set, vs.expansion.contains);
      return set;
    }
    for (const include of vs.compose.include) union(set, await this.include(include, trail));
    for (const exclude of vs.compose.exclude ?? []) await this.subtract(set, await this.include(exclude, trail));
    if (set.concepts.size > MAX_EXPANSION) throw tooCostly(`ValueSet '${(vs.url ?? '').slice(0, 120)}'`);
    return set;
  }

  /** Every concept of the set, whole systems enumerated (needs their complete CodeSystems). */
  async enumerate(set: CodeSet): Promise<ExpansionConcept[]> {
    const out = new Map(set.concepts);
    for (const [system, version] of set.wholeSystems) {
      for (const concept of await this.systemConcepts(system, version)) out.set(key(concept.system, concept.code), concept);
    }
    if (out.size > MAX_EXPANSION) throw tooCostly('The expansion');
    return [...out.values()];
  }

  private async include(include: ValueSetComposeInclude, trail: readonly string[]): Promise<CodeSet> {
    let set: CodeSet | undefined;
    if (include.system) set = await this.fromSystem(include);
    for (const nested of include.valueSet ?? []) {
      const other = await this.expandCanonical(nested, trail);
      set = set ? intersect(set, other) : other;
    }
    if (!set) throw errors.invalid('A ValueSet include names neither a system nor value sets');
    return set;
  }

  private async fromSystem(include: ValueSetComposeInclude): Promise<CodeSet> {
    const system = include.system!;
    const set = emptySet();
    if (!include.concept?.length && !include.filter?.length) {
      set.wholeSystems.set(system, include.version ?? '');
      return set;
    }
    const cs = await this.resolver.codeSystem(system, include.version);
    if (include.concept?.length) {
      for (const listed of include.concept) {
        const known = cs?.get(listed.code);
        const display = listed.display ?? known?.display;
        set.concepts.set(key(system, listed.code), { system, version: include.version, code: listed.code, ...(display === undefined ? {} : { display }) });
      }
      return set;
    }
    if (!cs?.complete) {
      throw errors.notSupported(`Code system '${system.slice(0, 120)}' is not loaded on this server in full; its ValueSet filters cannot be evaluated`, 400);
    }
    let codes: Set<string> | undefined;
    for (const filter of include.filter!) {
      const selected = applyFilter(cs, filter);
      codes = codes ? new Set([...codes].filter((code) => selected.has(code))) : selected;
    }
    for (const code of codes ?? []) {
      const concept = cs.get(code)!;
      set.concepts.set(key(system, code), toExpansion(system, include.version ?? cs.version, concept.code, concept.display, cs.isAbstract(concept), cs.isInactive(concept)));
    }
    return set;
  }

  private async systemConcepts(system: string, version: string): Promise<ExpansionConcept[]> {
    const cs = await this.resolver.codeSystem(system, version || undefined);
    if (!cs) throw notKnown('Code system', system);
    if (!cs.complete) throw errors.notSupported(`Code system '${system.slice(0, 120)}' is not loaded on this server in full; it cannot be enumerated`, 400);
    if (cs.size > MAX_EXPANSION) throw tooCostly(`Code system '${system.slice(0, 120)}'`);
    return [...cs.all()].map((c) => toExpansion(system, version || cs.version, c.code, c.display, cs.isAbstract(c), cs.isInactive(c)));
  }

  /** Removes `excluded` from `set`; single codes out of a whole system need that system's list. */
  private async subtract(set: CodeSet, excluded: CodeSet): Promise<void> {
    for (const system of excluded.wholeSystems.keys()) {
      set.wholeSystems.delete(system);
      for (const [k, c] of set.concepts) if (c.system === system) set.concepts.delete(k);
    }
    for (const [k, c] of excluded.concepts) {
      const whole = set.wholeSystems.get(c.system);
      if (whole !== undefined) {
        set.wholeSystems.delete(c.system);
        for (const concept of await this.systemConcepts(c.system, whole)) set.concepts.set(key(concept.system, concept.code), concept);
      }
      set.concepts.delete(k);
    }
  }
}

function toExpansion(system: string, version: string | undefined, code: string, display: string | undefined, abstract: boolean, inactive: boolean): ExpansionConcept {
  return {
    system,
    code,
    ...(version === undefined ? {} : { version }),
    ...(display === undefined ? {} : { display }),
    ...(abstract ? { abstract } : {}),
    ...(inactive ? { inactive } : {}),
  };
}

function addContains(set: CodeSet, contains: readonly ValueSetExpansionContains[] | undefined): void {
  for (const item of contains ?? []) {
    if (item.code && item.system) set.concepts.set(key(item.system, item.code), toExpansion(item.system, item.version, item.code, item.display, item.abstract === true, item.inactive === true));
    addContains(set, item.contains);
  }
}

function union(into: CodeSet, other: CodeSet): void {
  for (const [k, c] of other.concepts) if (!into.concepts.has(k)) into.concepts.set(k, c);
  for (const [system, version] of other.wholeSystems) into.wholeSystems.set(system, version);
}

function intersect(a: CodeSet, b: CodeSet): CodeSet {
  const out = emptySet();
  for (const [system, version] of a.wholeSystems) if (b.wholeSystems.has(system)) out.wholeSystems.set(system, version);
  for (const [k, c] of a.concepts) if (b.concepts.has(k) || b.wholeSystems.has(c.system)) out.concepts.set(k, c);
  for (const [k, c] of b.concepts) if (a.wholeSystems.has(c.system)) out.concepts.set(k, c);
  return out;
}
