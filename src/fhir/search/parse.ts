/**
 * A FHIR search query string → a SearchRequest checked against the registry (search.html).
 * Pure. Repeated parameters are ANDed, commas inside one are ORed. Chains
 * (`subject:Patient.name=x`) and reverse chains (`_has:Observation:patient:code=x`) stay
 * unresolved here: execute.ts turns them into criteria by searching the other type first.
 * Unknown parameters: a 400 under `Prefer: handling=strict`, otherwise left out and reported.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Criterion, SortKey } from '../../store/search-criteria';
import { errors } from '../outcomes';
import type { Query } from '../rest/types';
import type { ContainedMode, ContainedType } from './contained';
import { assertContainedSearchable, parseContained } from './contained';
import type { ParseContext } from './parse-value';
import { MAX_OR_VALUES, parseCriterion, splitValues, tokenValue } from './parse-value';
import type { SearchParamInfo, SearchRegistry } from './registry';

export type SearchFilter =
  | { kind: 'criterion'; criterion: Criterion }
  /** `code[:Type].rest=value`: references of `code` to resources of `targets` matching `rest=value`. */
  | { kind: 'chain'; info: SearchParamInfo; targets: string[]; rest: string; value: string; name: string }
  /** `code:in=url` / `code:not-in=url`: tokens in (or not in) the ValueSets named by canonical URL. */
  | { kind: 'valueset'; info: SearchParamInfo; urls: string[]; not: boolean; name: string }
  /** `code:below=system|code` / `code:above=…`: tokens the given codes subsume (or that subsume them). */
  | { kind: 'subsumption'; info: SearchParamInfo; direction: 'above' | 'below'; codings: Array<{ system: string; code: string }>; name: string }
  /** `_has:type:reference:rest=value`: resources referenced through `reference` by `type` resources matching `rest=value`. */
  | { kind: 'has'; type: string; reference: SearchParamInfo; rest: string; value: string; name: string; target: string };

export interface IncludeSpec {
  /** The resource type whose parameter is followed (`*` for every reference parameter). */
  source: string;
  param: string;
  target?: string;
  iterate: boolean;
}

export interface SearchRequest {
  filters: SearchFilter[];
  sort: SortKey[];
  count: number;
  total: 'none' | 'estimate' | 'accurate';
  /** The opaque page position (`_page`) of a `next` link. */
  page?: string;
  summary?: 'true' | 'text' | 'data' | 'count' | 'false';
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  /** `_contained` and `_containedType` (contained.ts). */
  contained: ContainedMode;
  containedType: ContainedType;
  /** Parameters left out (unknown or unsupported), reported to the client in lenient mode. */
  ignored: OperationOutcomeIssue[];
}

export interface ParseOptions {
  baseUrl: string;
  defaultCount: number;
  maxCount: number;
  strict: boolean;
}

/** Parameters that shape the response rather than select resources. */
const RESULT_PARAMETERS = new Set(['_format', '_pretty', '_elements', '_summary', '_count', '_sort', '_total', '_include', '_revinclude', '_page', '_contained', '_containedType']);
const MAX_PARAMETER_SORTS = 3;
const MAX_CHAIN_DEPTH = 4;

function unknown(name: string, why: string, options: ParseOptions, ignored: OperationOutcomeIssue[]): void {
  const shown = name.slice(0, 80);
  if (options.strict) throw errors.invalid(`Search parameter '${shown}': ${why}`, shown);
  ignored.push({ severity: 'warning', code: 'not-supported', diagnostics: `Search parameter '${shown}' was ignored: ${why}`, expression: [shown] });
}

/** `code`, `code:modifier`, `code:Type.rest`, `code.rest`. */
function splitName(name: string): { code: string; modifier?: string; rest?: string } {
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const rest = dot < 0 ? undefined : name.slice(dot + 1);
  const colon = head.indexOf(':');
  if (colon < 0) return { code: head, rest };
  return { code: head.slice(0, colon), modifier: head.slice(colon + 1), rest };
}

/** One `name=value` pair for `type` → a filter, or undefined when it is to be ignored. */
export function parseFilter(
  registry: SearchRegistry,
  type: string,
  name: string,
  value: string,
  options: ParseOptions,
  ignored: OperationOutcomeIssue[],
  depth = 0,
): SearchFilter | undefined {
  if (depth > MAX_CHAIN_DEPTH) throw errors.invalid(`Search parameter '${name.slice(0, 80)}' chains too deep (at most ${MAX_CHAIN_DEPTH})`);
  const ctx: ParseContext = { baseUrl: options.baseUrl, name };
  if (name.startsWith('_has:')) {
    const [, hasType, referenceCode, ...restParts] = name.split(':');
    const rest = restParts.join(':');
    const reference = hasType && referenceCode ? registry.get(hasType, referenceCode) : undefined;
    if (!reference || reference.type !== 'reference' || rest === '') {
      unknown(name, '_has takes _has:Type:reference-parameter:parameter', options, ignored);
      return undefined;
    }
    if (reference.targets.length > 0 && !reference.targets.includes(type)) {
      unknown(name, `${hasType}.${referenceCode} does not refer to ${type}`, options, ignored);
      return undefined;
    }
    return { kind: 'has', type: hasType!, reference, rest, value, name, target: type };
  }
  const { code, modifier, rest } = splitName(name);
  const info = registry.get(type, code);
  if (!info) {
    unknown(name, `${type} has no search parameter '${code.slice(0, 60)}'`, options, ignored);
    return undefined;
  }
  if (rest !== undefined) {
    if (info.type !== 'reference') throw errors.invalid(`Search parameter '${name.slice(0, 80)}': only reference parameters can be chained`);
    const targets = modifier ? [modifier] : info.targets.length > 0 ? [...info.targets] : [];
    if (targets.length === 0 || (modifier && info.targets.length > 0 && !info.targets.includes(modifier))) {
      throw errors.invalid(`Search parameter '${name.slice(0, 80)}': name the target type (${code}:Type.${rest.slice(0, 40)})`);
    }
    return { kind: 'chain', info, targets, rest, value, name };
  }
  if (info.type === 'token' && (modifier === 'in' || modifier === 'not-in')) {
    const urls = splitValues(value);
    if (value === '' || urls.some((url) => url === '')) throw errors.invalid(`Search parameter '${name.slice(0, 80)}': name a ValueSet by its canonical URL`);
    return { kind: 'valueset', info, urls, not: modifier === 'not-in', name };
  }
  if (info.type === 'token' && (modifier === 'above' || modifier === 'below')) {
    const values = value === '' ? [] : splitValues(value);
    const codings = values.map(tokenValue);
    if (codings.length === 0 || codings.length > MAX_OR_VALUES || codings.some((t) => !t.s || !t.c)) {
      throw errors.invalid(`Search parameter '${name.slice(0, 80)}': :${modifier} takes system|code (the code system names the hierarchy)`);
    }
    return { kind: 'subsumption', info, direction: modifier, codings: codings.map((t) => ({ system: t.s!, code: t.c! })), name };
  }
  return { kind: 'criterion', criterion: parseCriterion(info, modifier, value, ctx) };
}

function parseSort(registry: SearchRegistry, type: string, values: string[]): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of values.flatMap((value) => value.split(','))) {
    const descending = part.startsWith('-');
    const code = descending ? part.slice(1) : part;
    if (code !== '_id' && code !== '_lastUpdated' && !registry.get(type, code)?.supported) {
      throw errors.invalid(`_sort: '${code.slice(0, 60)}' is not a search parameter of ${type}`, '_sort');
    }
    keys.push({ key: code, descending });
  }
  if (keys.filter((key) => key.key !== '_id' && key.key !== '_lastUpdated').length > MAX_PARAMETER_SORTS) {
    throw errors.invalid(`_sort: at most ${MAX_PARAMETER_SORTS} search parameters`, '_sort');
  }
  return keys;
}

function parseInclude(value: string, name: string, iterate: boolean): IncludeSpec {
  if (value === '*') return { source: '*', param: '*', iterate };
  const [source, param, target, ...extra] = value.split(':');
  if (!source || !param || extra.length > 0 || !/^[A-Z][A-Za-z]+$/.test(source)) {
    throw errors.invalid(`${name}: '${value.slice(0, 80)}' is not Type:parameter[:targetType]`, name);
  }
  return target ? { source, param, target, iterate } : { source, param, iterate };
}

function single(query: Query, name: string): string | undefined {
  const values = query[name];
  if (values && values.length > 1) throw errors.invalid(`${name} may appear only once`, name);
  return values?.[0];
}

export function parseSearch(registry: SearchRegistry, type: string, query: Query, options: ParseOptions): SearchRequest {
  const ignored: OperationOutcomeIssue[] = [];
  const filters: SearchFilter[] = [];
  for (const [name, values] of Object.entries(query)) {
    if (RESULT_PARAMETERS.has(name) || name.startsWith('_include') || name.startsWith('_revinclude')) continue;
    for (const value of values) {
      const filter = parseFilter(registry, type, name, value, options, ignored);
      if (filter) filters.push(filter);
    }
  }
  const countText = single(query, '_count');
  let count = options.defaultCount;
  if (countText !== undefined) {
    if (!/^\d{1,15}$/.test(countText)) throw errors.invalid(`_count must be a non-negative integer (got '${countText.slice(0, 20)}')`, '_count');
    count = Math.min(Number(countText), options.maxCount);
  }
  const total = single(query, '_total') ?? 'none';
  if (!['none', 'estimate', 'accurate'].includes(total)) throw errors.invalid('_total is none, estimate or accurate', '_total');
  const summary = single(query, '_summary');
  if (summary !== undefined && !['true', 'text', 'data', 'count', 'false'].includes(summary)) {
    throw errors.invalid('_summary is true, text, data, count or false', '_summary');
  }
  const include: IncludeSpec[] = [];
  const revinclude: IncludeSpec[] = [];
  for (const [name, values] of Object.entries(query)) {
    const base = name.split(':')[0];
    const modifier = name.split(':')[1];
    if ((base !== '_include' && base !== '_revinclude') || (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse')) continue;
    for (const value of values) (base === '_include' ? include : revinclude).push(parseInclude(value, name, modifier !== undefined));
  }
  const request: SearchRequest = {
    filters,
    sort: parseSort(registry, type, query._sort ?? []),
    count,
    total: total as SearchRequest['total'],
    include,
    revinclude,
    ...parseContained(single(query, '_contained'), single(query, '_containedType')),
    ignored,
  };
  assertContainedSearchable(request);
  const page = single(query, '_page');
  if (page !== undefined) request.page = page;
  if (summary !== undefined) request.summary = summary as SearchRequest['summary'];
  return request;
}
