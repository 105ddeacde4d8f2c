/**
 * One search parameter occurrence (`code[:modifier]=v1,v2`) → one store criterion, with the
 * value normalised exactly as extraction normalised the stored values (extract/), so that the
 * comparison is like for like. Values of one occurrence are ORed. Errors are 400s that name the
 * parameter.
 */
import type { Comparator, ComponentTest, Criterion, IndexName, QuantityValue, ReferenceValue, TokenValue } from '../../store/search-criteria';
import { parseDateRange } from '../date-range';
import { errors } from '../outcomes';
import { normaliseReferenceString, normaliseText, ucumCanonical, UCUM_SYSTEM } from './extract';
import type { SearchParamType } from './extract';
import type { SearchParamInfo } from './registry';

export const INDEX_OF: Record<Exclude<SearchParamType, 'special'>, IndexName> = {
  string: 'str',
  token: 'tok',
  reference: 'ref',
  date: 'date',
  number: 'num',
  quantity: 'qty',
  uri: 'uri',
  composite: 'comp',
};

/** Bounds on one occurrence: wider ORs and longer values are refused (400), not run. */
export const MAX_OR_VALUES = 2000;
export const MAX_VALUE_LENGTH = 1000;

const COMPARATORS = new Set<Comparator>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);
const NUMBER = /^[+-]?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Splits on commas not escaped as `\,`. */
export function splitValues(raw: string): string[] {
  return raw.split(/(?<!\\),/);
}

/** Splits on an unescaped separator (`|` in tokens, `$` in composites) and unescapes the parts. */
function splitEscaped(value: string, separator: '|' | '$'): string[] {
  const parts = value.split(separator === '|' ? /(?<!\\)\|/ : /(?<!\\)\$/);
  return parts.map(unescape);
}

function unescape(value: string): string {
  return value.replace(/\\([,$|\\])/g, '$1');
}

export interface ParseContext {
  baseUrl: string;
  /** The parameter as written, for messages. */
  name: string;
}

function invalid(ctx: ParseContext, why: string): never {
  throw errors.invalid(`Search parameter '${ctx.name.slice(0, 80)}': ${why}`, ctx.name.slice(0, 80));
}

function prefixed(raw: string, ctx: ParseContext, info: { comparators: readonly string[] } | undefined): { op: Comparator; rest: string } {
  const head = raw.slice(0, 2) as Comparator;
  if (/^[a-z]{2}/.test(raw) && COMPARATORS.has(head)) {
    if (info && info.comparators.length > 0 && !info.comparators.includes(head) && head !== 'eq') {
      invalid(ctx, `prefix '${head}' is not supported for this parameter`);
    }
    return { op: head, rest: raw.slice(2) };
  }
  return { op: 'eq', rest: raw };
}

/** The value and the range its significant figures stand for, from the text as written (`100.0` is finer than `100`). */
export function parseNumber(text: string, ctx: ParseContext): { v: number; lo: number; hi: number } {
  const m = NUMBER.exec(text);
  if (!m) invalid(ctx, `'${text.slice(0, 40)}' is not a number`);
  const v = Number(text);
  if (!Number.isFinite(v)) invalid(ctx, `'${text.slice(0, 40)}' is out of range`);
  const decimals = (m[2]?.length ?? 0) - Number(m[3] ?? 0);
  const half = 5 * 10 ** (-decimals - 1);
  const round = (x: number) => Number(x.toPrecision(15));
  return { v, lo: round(v - half), hi: round(v + half) };
}

function dateValue(raw: string, ctx: ParseContext, info?: SearchParamInfo) {
  const { op, rest } = prefixed(raw, ctx, info);
  const range = parseDateRange(rest);
  if (!range) invalid(ctx, `'${rest.slice(0, 40)}' is not a date, dateTime or instant`);
  return { op, lo: range.start, hi: range.end };
}

export function tokenValue(raw: string): TokenValue {
  const parts = splitEscaped(raw, '|');
  if (parts.length === 1) return { c: parts[0]! };
  const [system, code] = [parts[0]!, parts.slice(1).join('|')];
  const value: TokenValue = { s: system === '' ? null : system };
  if (code !== '') value.c = code;
  return value;
}

function quantityValue(raw: string, ctx: ParseContext, info?: SearchParamInfo): QuantityValue {
  const { op, rest } = prefixed(raw, ctx, info);
  const [number, system, code, ...extra] = splitEscaped(rest, '|');
  if (extra.length > 0) invalid(ctx, 'a quantity is number|system|code');
  const { v, lo, hi } = parseNumber(number!, ctx);
  const value: QuantityValue = { op, v, lo, hi };
  if (system === UCUM_SYSTEM && code) {
    const canonical = ucumCanonical(code);
    const [cv, clo, chi] = [v, lo, hi].map((x) => canonical?.convert(x));
    if (canonical && cv !== undefined && clo !== undefined && chi !== undefined) {
      return { op, v: cv, lo: Math.min(clo, chi), hi: Math.max(clo, chi), c: canonical.code, canonical: true };
    }
  }
  if (system) value.s = system;
  if (code) value.c = code;
  return value;
}

function referenceValues(raw: string, info: SearchParamInfo, ctx: ParseContext, type?: string): ReferenceValue[] {
  const value = unescape(raw);
  if (type) return [{ r: `${type}/${value}` }];
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && value.includes('|')) {
    const bar = value.indexOf('|');
    return [{ r: value.slice(0, bar), v: value.slice(bar + 1) }];
  }
  if (value.includes('/')) {
    const normal = normaliseReferenceString(value, ctx.baseUrl);
    if (!normal) invalid(ctx, `'${value.slice(0, 40)}' is not a reference`);
    return [{ r: normal.r }];
  }
  // A bare id: a reference to that id in any of the parameter's target types.
  if (info.targets.length === 0) invalid(ctx, `'${value.slice(0, 40)}' needs a type: use Type/${value.slice(0, 40)}`);
  return info.targets.map((target) => ({ r: `${target}/${value}` }));
}

function componentTest(type: SearchParamType, raw: string, ctx: ParseContext): ComponentTest {
  switch (type) {
    case 'token':
      return { index: 'tok', value: tokenValue(raw) };
    case 'string':
      return { index: 'str', value: normaliseText(unescape(raw)) };
    case 'date':
      return { index: 'date', value: dateValue(raw, ctx) };
    case 'number': {
      const { op, rest } = prefixed(raw, ctx, undefined);
      return { index: 'num', value: { op, ...parseNumber(rest, ctx) } };
    }
    case 'quantity':
      return { index: 'qty', value: quantityValue(raw, ctx) };
    case 'uri':
      return { index: 'uri', value: unescape(raw) };
    case 'reference': {
      const normal = normaliseReferenceString(unescape(raw), ctx.baseUrl);
      return { index: 'ref', value: { r: normal?.r ?? unescape(raw) } };
    }
    default:
      invalid(ctx, `a composite component of type ${type} cannot be searched`);
  }
}

/**
 * The criterion for `info` with `modifier` (already split off the name) and the raw value.
 * `:missing`, `:exact`, `:contains`, `:text`, `:not`, `:of-type`, `:identifier`, `:[type]`,
 * `:above`/`:below` on uri. (Token `:in`/`:not-in`/`:above`/`:below` need the terminology
 * service first: terminology-filters.ts.)
 */
export function parseCriterion(info: SearchParamInfo, modifier: string | undefined, raw: string, ctx: ParseContext): Criterion {
  if (info.type === 'special' || !info.supported) invalid(ctx, 'this parameter is not supported');
  const index = INDEX_OF[info.type];
  if (modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') invalid(ctx, ':missing takes true or false');
    // Every resource has an id and a version time: missing=true matches nothing, false everything.
    if (info.code === '_id' || info.code === '_lastUpdated') return { index: 'id', ids: [], not: raw === 'false' };
    return { index, p: info.code, missing: raw === 'true' };
  }
  if (raw === '') invalid(ctx, 'the value is empty');
  const values = splitValues(raw);
  if (values.length > MAX_OR_VALUES) invalid(ctx, `at most ${MAX_OR_VALUES} values separated by commas`);
  if (values.some((value) => value === '')) invalid(ctx, 'one of the values is empty');
  if (values.some((value) => value.length > MAX_VALUE_LENGTH)) invalid(ctx, `a value is longer than ${MAX_VALUE_LENGTH} characters`);
  const p = info.code;
  switch (info.type) {
    case 'string': {
      if (modifier !== undefined && modifier !== 'exact' && modifier !== 'contains') break;
      const match = modifier === 'exact' ? 'exact' : modifier === 'contains' ? 'contains' : 'prefix';
      return { index: 'str', p, match, values: values.map((v) => (match === 'exact' ? unescape(v) : normaliseText(unescape(v)))) };
    }
    case 'token':
      if (modifier === undefined || modifier === 'not') {
        if (p === '_id') return { index: 'id', ids: values.map(unescape), not: modifier === 'not' };
        return { index: 'tok', p, values: values.map(tokenValue), not: modifier === 'not' };
      }
      if (modifier === 'text') return { index: 'tok', p, text: values.map((v) => normaliseText(unescape(v))) };
      if (modifier === 'of-type') {
        return {
          index: 'tok',
          p: `${p}:of-type`,
          values: values.map((v) => {
            const parts = splitEscaped(v, '|');
            if (parts.length !== 3) invalid(ctx, ':of-type takes system|code|value');
            return { s: parts[0] === '' ? null : parts[0], c: `${parts[1]}|${parts[2]}` };
          }),
        };
      }
      break;
    case 'reference':
      if (modifier === 'identifier') return { index: 'tok', p: `${p}:identifier`, values: values.map(tokenValue) };
      if (modifier === undefined || /^[A-Z][A-Za-z]+$/.test(modifier)) {
        if (modifier && info.targets.length > 0 && !info.targets.includes(modifier)) invalid(ctx, `${modifier} is not a target type of this parameter`);
        return { index: 'ref', p, values: values.flatMap((v) => referenceValues(v, info, ctx, modifier)) };
      }
      break;
    case 'date':
      if (modifier !== undefined) break;
      if (p === '_lastUpdated') return { index: 'lastUpdated', values: values.map((v) => dateValue(v, ctx, info)) };
      return { index: 'date', p, values: values.map((v) => dateValue(v, ctx, info)) };
    case 'number':
      if (modifier !== undefined) break;
      return {
        index: 'num',
        p,
        values: values.map((v) => {
          const { op, rest } = prefixed(v, ctx, info);
          return { op, ...parseNumber(rest, ctx) };
        }),
      };
    case 'quantity':
      if (modifier !== undefined) break;
      return { index: 'qty', p, values: values.map((v) => quantityValue(v, ctx, info)) };
    case 'uri':
      if (modifier !== undefined && modifier !== 'above' && modifier !== 'below') break;
      return { index: 'uri', p, match: modifier ?? 'eq', values: values.map(unescape) } as Criterion;
    case 'composite': {
      if (modifier !== undefined) break;
      const components = info.components ?? [];
      return {
        index: 'comp',
        p,
        values: values.map((v) => {
          const parts = v.split(/(?<!\\)\$/);
          if (parts.length !== components.length) invalid(ctx, `a value has ${components.length} parts separated by $`);
          return parts.map((part, i) => componentTest(components[i]!.type, part, ctx));
        }),
      };
    }
  }
  return invalid(ctx, `modifier ':${(modifier ?? '').slice(0, 30)}' is not supported for a ${info.type} parameter`);
}
