/**
 * A brute-force FHIR search for tests: every resource is checked against every parameter of a
 * query, with fhirpath.js evaluating the SearchParameter expressions and the matching rules of
 * search.html written out in ./oracle/. It shares nothing with the server's extraction or query
 * compilation: from the registry it takes only each parameter's type, targets, components and
 * expression. Simple and slow on purpose (values are memoised per resource and parameter).
 *
 * Supported: every parameter type but `special`, the modifiers of ./oracle/, chains (any depth,
 * `:Type`), `_has` (nested), `_sort` (lowest value ascending, highest descending, missing last),
 * `_include`/`_revinclude` (`:iterate`, `*`, target type).
 *
 * Simplifications, where the spec leaves a choice or the oracle does not go: no `ap` prefix,
 * no `sa`/`eb` on numbers and quantities; times without a zone are UTC; a chain or include
 * follows only references to resources on this server; strings sort by their lower-cased,
 * accent-free form, quantities by UCUM base units; `:iterate` runs until nothing new comes
 * (the server stops after a few rounds and 1,000 includes a page); no terminology (`:in`,
 * `:below` on tokens) and no `_text`/`_content`/`_filter`.
 */
import type { ParamDefinition, SortValue } from './oracle/match';
import { matchParameter, sortValues } from './oracle/match';
import { referenceTargets } from './oracle/reference';
import type { StoredResource, TypedValue } from './oracle/values';
import { evaluate, UnevaluableError } from './oracle/values';

export type { ParamDefinition, StoredResource };

export interface OracleDefinitions {
  param(type: string, code: string): ParamDefinition | undefined;
  /** Every reference parameter of a type (`_include=*`). */
  referenceParams(type: string): ParamDefinition[];
}

export interface OracleAnswer {
  /** Ids of the matches, in `_sort` order when the query sorts (ties by id). */
  ids: string[];
  /** The `_sort` order of two matches by id (0: tied, either order is right). */
  compare(a: string, b: string): number;
  /** `Type/id` of what `_include`/`_revinclude` add to a page holding these matches. */
  includes(pageIds: readonly string[]): Set<string>;
}

interface IncludeSpec {
  source: string;
  param: string;
  target?: string;
  iterate: boolean;
}

const RESULT_PARAMETERS = new Set(['_count', '_sort', '_total', '_summary', '_elements', '_format', '_page']);
const key = (r: StoredResource) => `${r.resourceType}/${r.id}`;

export class SearchOracle {
  private readonly byType = new Map<string, StoredResource[]>();
  private readonly byKey = new Map<string, StoredResource>();
  private readonly values = new Map<string, TypedValue[]>();
  private readonly matching = new Map<string, Set<string>>();
  /** `Type/id` of resources on which fhirpath.js failed to evaluate some expression: their answer is unknown. */
  readonly undecidable = new Set<string>();

  constructor(resources: readonly StoredResource[], private readonly definitions: OracleDefinitions, private readonly baseUrl: string) {
    for (const resource of resources) {
      this.byKey.set(key(resource), resource);
      const ofType = this.byType.get(resource.resourceType) ?? [];
      if (ofType.length === 0) this.byType.set(resource.resourceType, ofType);
      ofType.push(resource);
    }
  }

  resources(type: string): readonly StoredResource[] {
    return this.byType.get(type) ?? [];
  }

  search(type: string, query: string): OracleAnswer {
    const params = [...new URLSearchParams(query)];
    const filters = params.filter(([name]) => !RESULT_PARAMETERS.has(name) && !/^_(rev)?include/.test(name));
    const ids = this.resources(type)
      .filter((resource) => filters.every(([name, value]) => this.matches(resource, name, value)))
      .map((resource) => resource.id);
    const sort = params.filter(([name]) => name === '_sort').flatMap(([, value]) => value.split(','));
    const compare = (a: string, b: string) => this.compareBySort(type, sort, a, b);
    ids.sort((a, b) => compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
    const include = params.filter(([name]) => /^_include(:iterate)?$/.test(name)).map(([name, value]) => this.includeSpec(name, value));
    const revinclude = params.filter(([name]) => /^_revinclude(:iterate)?$/.test(name)).map(([name, value]) => this.includeSpec(name, value));
    return { ids, compare, includes: (pageIds) => this.collectIncludes(type, pageIds, include, revinclude) };
  }

  private param(type: string, code: string): ParamDefinition {
    const param = this.definitions.param(type, code);
    if (!param?.fhirpath) throw new Error(`oracle: ${type} has no search parameter ${code}`);
    return param;
  }

  private valuesOf(resource: StoredResource, param: ParamDefinition): TypedValue[] {
    const cacheKey = `${key(resource)} ${param.code}`;
    let found = this.values.get(cacheKey);
    if (!found) {
      found = evaluate(resource, param.fhirpath!);
      this.values.set(cacheKey, found);
    }
    return found;
  }

  /** Keys (`Type/id`) of the resources of `type` matching `name=value`, memoised: chains and `_has` reuse them. */
  private matchingKeys(type: string, name: string, value: string): Set<string> {
    const cacheKey = `${type}?${name}=${value}`;
    let found = this.matching.get(cacheKey);
    if (!found) {
      found = new Set(this.resources(type).filter((r) => this.matches(r, name, value)).map(key));
      this.matching.set(cacheKey, found);
    }
    return found;
  }

  /** One `name=value` pair of the query on one resource. */
  private matches(resource: StoredResource, name: string, value: string): boolean {
    if (name.startsWith('_has:')) {
      // _has:Type:reference:rest — some Type resource matching rest=value refers to this one.
      const [, type, referenceCode, ...rest] = name.split(':');
      const reference = this.param(type!, referenceCode!);
      const self = key(resource);
      return [...this.matchingKeys(type!, rest.join(':'), value)].some((k) =>
        this.valuesOf(this.byKey.get(k)!, reference).some((v) => referenceTargets(v, this.baseUrl).some((t) => t.key === self)),
      );
    }
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    const [code, modifier] = head.split(':') as [string, string | undefined];
    const param = this.param(resource.resourceType, code);
    if (dot < 0) {
      try {
        return matchParameter(param, this.valuesOf(resource, param), value, modifier, this.baseUrl);
      } catch (error) {
        // fhirpath.js refuses some data (a Quantity with a comparator in `ofType(Quantity)`).
        if (!(error instanceof UnevaluableError)) throw error;
        this.undecidable.add(key(resource));
        return false;
      }
    }
    // A chain: some resource this one refers to (of type `modifier`, if given) matches the rest.
    const rest = name.slice(dot + 1);
    return this.valuesOf(resource, param)
      .flatMap((v) => referenceTargets(v, this.baseUrl))
      .some((t) => t.type !== undefined && (modifier === undefined || t.type === modifier) && this.byKey.has(t.key) && this.chainTarget(t.type, rest, value).has(t.key));
  }

  /** Resources of `type` matching the rest of a chain; none when `type` has no such parameter. */
  private chainTarget(type: string, rest: string, value: string): Set<string> {
    const code = rest.split(/[.:]/)[0]!;
    return rest.startsWith('_has:') || this.definitions.param(type, code) ? this.matchingKeys(type, rest, value) : new Set();
  }

  /** The value a resource sorts by: its lowest ascending, its highest descending; undefined when missing. */
  private sortKey(resource: StoredResource, code: string, descending: boolean): SortValue | undefined {
    if (code === '_id') return resource.id;
    const param = this.param(resource.resourceType, code);
    const values = sortValues(param, this.valuesOf(resource, param), this.baseUrl);
    if (values.length === 0) return undefined;
    return values.reduce((best, v) => ((descending ? v > best : v < best) ? v : best));
  }

  private compareBySort(type: string, sort: string[], a: string, b: string): number {
    for (const part of sort) {
      const descending = part.startsWith('-');
      const code = descending ? part.slice(1) : part;
      const ka = this.sortKey(this.byKey.get(`${type}/${a}`)!, code, descending);
      const kb = this.sortKey(this.byKey.get(`${type}/${b}`)!, code, descending);
      if (ka === kb) continue;
      // Missing values last, in both directions.
      if (ka === undefined) return 1;
      if (kb === undefined) return -1;
      return (ka < kb ? -1 : 1) * (descending ? -1 : 1);
    }
    return 0;
  }

  private includeSpec(name: string, value: string): IncludeSpec {
    const iterate = name.endsWith(':iterate');
    if (value === '*') return { source: '*', param: '*', iterate };
    const [source, param, target] = value.split(':');
    return { source: source!, param: param!, ...(target ? { target } : {}), iterate };
  }

  private referencesFrom(resource: StoredResource, spec: IncludeSpec): string[] {
    if (spec.source !== '*' && spec.source !== resource.resourceType) return [];
    const params = spec.param === '*' ? this.definitions.referenceParams(resource.resourceType) : [this.param(resource.resourceType, spec.param)];
    return params
      .flatMap((param) => this.valuesOf(resource, param).flatMap((v) => referenceTargets(v, this.baseUrl)))
      .filter((t) => t.type !== undefined && (!spec.target || t.type === spec.target) && this.byKey.has(t.key))
      .map((t) => t.key);
  }

  private referrers(spec: IncludeSpec, targets: Set<string>): string[] {
    if (spec.source === '*') return [];
    const param = this.param(spec.source, spec.param);
    return this.resources(spec.source)
      .filter((r) =>
        this.valuesOf(r, param).some((v) =>
          referenceTargets(v, this.baseUrl).some((t) => targets.has(t.key) && (!spec.target || t.type === spec.target)),
        ),
      )
      .map(key);
  }

  /** Matches' includes; `:iterate` specs also apply to what was included, until nothing new comes. */
  private collectIncludes(type: string, pageIds: readonly string[], include: IncludeSpec[], revinclude: IncludeSpec[]): Set<string> {
    const seen = new Set(pageIds.map((id) => `${type}/${id}`));
    const included = new Set<string>();
    let frontier = [...seen];
    for (let first = true; frontier.length > 0; first = false) {
      const found = [
        ...include.filter((s) => first || s.iterate).flatMap((spec) => frontier.flatMap((k) => this.referencesFrom(this.byKey.get(k)!, spec))),
        ...revinclude.filter((s) => first || s.iterate).flatMap((spec) => this.referrers(spec, new Set(frontier))),
      ];
      frontier = [...new Set(found)].filter((k) => !seen.has(k));
      for (const k of frontier) {
        seen.add(k);
        included.add(k);
      }
    }
    return included;
  }
}
