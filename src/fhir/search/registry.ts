/**
 * The search parameters of every resource type: the built-in ones (R4 core, and ours from
 * `profiles/`) plus custom ones added at run time, each with the part of its expression that applies to that type, compiled
 * once (extract/compile-expression.ts).
 */
import type { SearchParameter } from '@medplum/fhirtypes';
import type { FhirDefinitions } from '../definitions';
import { errors } from '../outcomes';
import { branchesFor } from './expression-branches';
import type { CompiledExpression } from './extract/compile-expression';
import { ExpressionCompiler } from './extract/compile-expression';
import type { SearchParamType } from './extract/types';
import { applyErrata } from './fhirpath-errata';
import { validateSearchParameter } from './registry-validation';

export type { SearchParamType };

export interface SearchComponentInfo {
  /** The canonical URL of the component's own SearchParameter. */
  readonly url: string;
  /** That parameter's code and type: the type decides how component values normalise. */
  readonly code: string;
  readonly type: SearchParamType;
  /** Relative to each node of the composite's expression (errata applied). */
  readonly expression: string;
  /** The evaluator for a base node of the given type key (see compile-path.ts). */
  compile(contextType: string): CompiledExpression;
}

export interface SearchParamInfo {
  readonly code: string;
  readonly type: SearchParamType;
  readonly url: string;
  /** The concrete resource type this entry is for. */
  readonly resourceType: string;
  /** The branches of the SearchParameter's expression that apply to `resourceType`, as written. */
  readonly expression?: string;
  /** `expression` as evaluated: with the corrections of fhirpath-errata.ts. */
  readonly fhirpath?: string;
  /** False for parameters with no expression (`_text`, `_content`, `_query`). */
  readonly supported: boolean;
  /** Reference target types (empty: any). */
  readonly targets: readonly string[];
  readonly components?: readonly SearchComponentInfo[];
  /** SearchParameter.modifier codes (`missing`, `exact`, `text`, `ofType`, `identifier`, `type`…). */
  readonly modifiers: readonly string[];
  readonly comparators: readonly string[];
  readonly multipleOr: boolean;
  readonly multipleAnd: boolean;
  readonly chain: readonly string[];
  /** The SearchParameter this entry comes from. */
  readonly definition: SearchParameter;
  /** The evaluator of `fhirpath` (undefined when unsupported). */
  readonly compiled?: CompiledExpression;
}

const ALL_COMPARATORS = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];
const DEFAULT_MODIFIERS: Record<SearchParamType, readonly string[]> = {
  string: ['missing', 'exact', 'contains'],
  token: ['missing', 'text', 'not', 'above', 'below', 'in', 'not-in', 'ofType'],
  reference: ['missing', 'type', 'identifier', 'above', 'below'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  uri: ['missing', 'above', 'below'],
  composite: ['missing'],
  special: [],
};

/**
 * R4 errata in composite definitions: DocumentReference `relationship` names `relatesto` for
 * the `code` component and `relation` for `target`, the wrong way round.
 */
const SWAPPED_COMPONENTS = new Set(['http://hl7.org/fhir/SearchParameter/DocumentReference-relationship']);

/**
 * The targets that apply to one type: when every branch keeps only `where(resolve() is T)`,
 * just those T (`Observation.patient` targets Patient, though `patient` lists Group too).
 */
function narrowTargets(declared: readonly string[], branches: readonly string[]): readonly string[] {
  const resolved = branches.map((b) => /\.where\(\s*resolve\(\)\s+is\s+([A-Za-z]+)\s*\)\s*$/.exec(b)?.[1]);
  if (resolved.length === 0 || resolved.some((t) => t === undefined)) return declared;
  const types = new Set(resolved as string[]);
  return declared.length > 0 ? declared.filter((t) => types.has(t)) : [...types];
}

export class SearchRegistry {
  private readonly compiler: ExpressionCompiler;
  private readonly byUrl = new Map<string, SearchParameter>();
  /** URLs of the parameters added with add(), as opposed to the built-in ones. */
  private readonly custom = new Set<string>();
  /** R4 core, then ours from `profiles/` (which may replace a core code on a type). */
  private readonly builtIn: readonly SearchParameter[];
  /** Per resource type, code → SearchParameter (built eagerly: cheap). */
  private readonly sources = new Map<string, Map<string, SearchParameter>>();
  /** Per resource type, code → info (built, and compiled, on first use of the type). */
  private readonly infos = new Map<string, Map<string, SearchParamInfo>>();

  constructor(private readonly definitions: FhirDefinitions) {
    this.compiler = new ExpressionCompiler(definitions);
    this.builtIn = [...definitions.searchParameters, ...definitions.profiles.searchParameters];
    for (const sp of definitions.searchParameters) this.register(sp);
    // Ours are checked like custom ones: a broken file in profiles/ stops the server at start.
    // Composites last: their components may be ours too.
    const ours = definitions.profiles.searchParameters;
    for (const sp of [...ours.filter((p) => p.type !== 'composite'), ...ours.filter((p) => p.type === 'composite')]) {
      this.usableInfos(sp);
      this.register(sp);
    }
  }

  /** The parameters of a resource type by code (empty for an unknown type). */
  forType(type: string): ReadonlyMap<string, SearchParamInfo> {
    let infos = this.infos.get(type);
    if (!infos) {
      infos = new Map();
      for (const [code, sp] of this.sources.get(type) ?? []) infos.set(code, this.info(sp, type));
      if (this.definitions.isResourceType(type)) this.infos.set(type, infos);
    }
    return infos;
  }

  /** The SearchParameter behind each code of a type, as defined (nothing compiled): what its index depends on. */
  definitionsFor(type: string): ReadonlyMap<string, SearchParameter> {
    return this.sources.get(type) ?? new Map();
  }

  get(type: string, code: string): SearchParamInfo | undefined {
    return this.forType(type).get(code);
  }

  /** Whether `url` names a parameter added at run time (not, or no longer, the built-in one). */
  isCustom(url: string): boolean {
    return this.custom.has(url);
  }

  /** Whether `url` names a built-in SearchParameter (R4 core or `profiles/`). */
  isCore(url: string): boolean {
    return this.builtIn.some((sp) => sp.url === url);
  }

  /** A SearchParameter by canonical URL (core or added). */
  getDefinition(url: string): SearchParameter | undefined {
    return this.byUrl.get(url);
  }

  /**
   * Validates and registers a custom SearchParameter, replacing the parameter with the same
   * code on each of its base types. Throws a FhirError (400) when it cannot be used.
   */
  add(sp: SearchParameter): void {
    // Compile before registering, so a parameter that cannot be evaluated changes nothing.
    const infos = this.usableInfos(sp);
    // A new version of an added parameter may have changed its code or bases.
    if (this.custom.has(sp.url)) this.remove(sp.url);
    this.custom.add(sp.url);
    this.register(sp);
    for (const info of infos) this.infos.get(info.resourceType)?.set(sp.code, info);
  }

  /** The compiled info of `sp` for each of its base types; a FhirError (400) when it cannot be used. */
  private usableInfos(sp: SearchParameter): SearchParamInfo[] {
    validateSearchParameter(sp, (url) => this.byUrl.get(url));
    const types = this.typesOf(sp);
    if (types.length === 0) throw errors.invalid('SearchParameter.base names no known resource type', 'SearchParameter.base');
    const infos = types.map((type) => this.info(sp, type));
    const unusable = infos.find((info) => !info.supported);
    if (unusable) {
      throw errors.invalid(`no part of the expression of '${sp.code}' applies to ${unusable.resourceType}`, 'SearchParameter.expression');
    }
    return infos;
  }

  /**
   * Unregisters an added SearchParameter (its resource was deleted): on each base type the
   * R4 parameter with the same code, if any, applies again.
   */
  remove(url: string): void {
    const sp = this.byUrl.get(url);
    if (!sp || !this.custom.delete(url)) return;
    this.byUrl.delete(url);
    for (const type of this.typesOf(sp)) {
      if (this.sources.get(type)?.get(sp.code) !== sp) continue;
      const core = this.builtIn.findLast((c) => c.code === sp.code && this.typesOf(c).includes(type));
      if (core) {
        this.sources.get(type)!.set(sp.code, core);
        this.infos.get(type)?.set(sp.code, this.info(core, type));
      } else {
        this.sources.get(type)!.delete(sp.code);
        this.infos.get(type)?.delete(sp.code);
      }
    }
  }

  /** The concrete resource types a SearchParameter applies to, by its base. */
  private typesOf(sp: SearchParameter): string[] {
    const types = new Set<string>();
    for (const base of (sp.base ?? []) as string[]) {
      if (base === 'Resource' || base === 'DomainResource') {
        for (const t of this.definitions.resourceTypes) {
          if (base === 'Resource' || !['Bundle', 'Binary', 'Parameters'].includes(t)) types.add(t);
        }
      } else if (this.definitions.isResourceType(base)) types.add(base);
    }
    return [...types];
  }

  private register(sp: SearchParameter): string[] {
    if (sp.url) this.byUrl.set(sp.url, sp);
    const types = this.typesOf(sp);
    for (const type of types) {
      let codes = this.sources.get(type);
      if (!codes) this.sources.set(type, (codes = new Map()));
      codes.set(sp.code, sp);
    }
    return types;
  }

  private info(sp: SearchParameter, resourceType: string): SearchParamInfo {
    const type = sp.type as SearchParamType;
    const branches = sp.expression ? branchesFor(sp.expression, resourceType) : [];
    const expression = branches.length > 0 ? branches.join(' | ') : undefined;
    const fhirpath = expression ? branches.map(applyErrata).join(' | ') : undefined;
    const components = type === 'composite' ? this.components(sp, resourceType) : undefined;
    const supported = fhirpath !== undefined && (type !== 'composite' || components !== undefined);
    return {
      code: sp.code,
      type,
      url: sp.url,
      resourceType,
      ...(expression !== undefined ? { expression, fhirpath } : {}),
      supported,
      targets: narrowTargets(sp.target ?? [], branches),
      ...(components ? { components } : {}),
      modifiers: sp.modifier ?? (supported ? DEFAULT_MODIFIERS[type] : []),
      comparators: sp.comparator ?? (supported && ['date', 'number', 'quantity'].includes(type) ? ALL_COMPARATORS : []),
      multipleOr: sp.multipleOr ?? true,
      multipleAnd: sp.multipleAnd ?? true,
      chain: sp.chain ?? [],
      definition: sp,
      ...(supported && fhirpath ? { compiled: this.compiler.compile(fhirpath, resourceType, resourceType) } : {}),
    };
  }

  private components(sp: SearchParameter, resourceType: string): SearchComponentInfo[] | undefined {
    const parts = sp.component ?? [];
    const definitions = parts.map((c) => this.byUrl.get(c.definition));
    if (SWAPPED_COMPONENTS.has(sp.url)) definitions.reverse();
    const result: SearchComponentInfo[] = [];
    for (const [i, part] of parts.entries()) {
      const definition = definitions[i];
      if (!definition || !part.expression) return undefined;
      const expression = applyErrata(part.expression);
      result.push({
        url: definition.url,
        code: definition.code,
        type: definition.type as SearchParamType,
        expression,
        compile: (contextType) => this.compiler.compile(expression, contextType, resourceType),
      });
    }
    return result.length > 0 ? result : undefined;
  }
}
