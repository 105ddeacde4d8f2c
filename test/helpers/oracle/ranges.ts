/**
 * date, number and quantity matching with prefixes (search.html#prefix, #date, #number,
 * #quantity), written from the spec rather than from the server:
 * - dates are ranges on both sides: a stored value covers the instants of its precision (a
 *   Period from its start to its end, open ends unbounded; a Timing its outer limits), and so
 *   does the search value; eq = the search range contains the stored range, gt = the stored
 *   range reaches above the search range, sa = it starts after the search range ends, …
 * - numbers and quantities: eq/ne use the precision of the search value (`100` = [99.5,
 *   100.5)), gt/lt/ge/le compare with the value exactly; a stored value is exact, a stored
 *   Range covers low..high. Quantities with a UCUM search unit match stored UCUM quantities
 *   converted to that unit (`5.4|…|mg` finds `0.0054 g`).
 * Times without a zone are read as UTC. `ap` is implementation-defined and not modelled.
 */
import { createRequire } from 'node:module';
import { splitBars } from './text';
import type { TypedValue } from './values';

type Json = Record<string, unknown>;
interface Interval {
  lo: number;
  hi: number;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The instants a date, dateTime or instant covers: [lo, hi) in ms. */
export function dateInterval(text: string): Interval | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => (m[i] === undefined ? undefined : Number(m[i])));
  const fraction = m[7];
  const zone = m[8];
  const offset = zone && zone !== 'Z' ? (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4))) * 60_000 : 0;
  const at = (...parts: number[]) => Date.UTC(parts[0]!, parts[1] ?? 0, parts[2] ?? 1, parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0, parts[6] ?? 0) - offset;
  if (mo === undefined) return { lo: at(y!), hi: at(y! + 1) };
  if (d === undefined) return { lo: at(y!, mo - 1), hi: at(y!, mo) };
  if (h === undefined) return { lo: at(y!, mo - 1, d), hi: at(y!, mo - 1, d + 1) };
  if (s === undefined) return { lo: at(y!, mo - 1, d, h, mi!), hi: at(y!, mo - 1, d, h, mi! + 1) };
  if (fraction === undefined) return { lo: at(y!, mo - 1, d, h, mi!, s), hi: at(y!, mo - 1, d, h, mi!, s + 1) };
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const step = fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length);
  const lo = at(y!, mo - 1, d, h, mi!, s, ms);
  return { lo, hi: lo + step };
}

function periodInterval(period: Json): Interval | undefined {
  const start = typeof period.start === 'string' ? dateInterval(period.start) : undefined;
  const end = typeof period.end === 'string' ? dateInterval(period.end) : undefined;
  if (!start && !end) return undefined;
  return { lo: start?.lo ?? -Infinity, hi: end?.hi ?? Infinity };
}

/** The intervals a date parameter's value covers. */
export function dateIntervals(value: TypedValue): Interval[] {
  if (typeof value.data === 'string') {
    const interval = ['date', 'dateTime', 'instant'].includes(value.type) ? dateInterval(value.data) : undefined;
    return interval ? [interval] : [];
  }
  const json = value.data as Json;
  if (value.type === 'Period') return [periodInterval(json)].filter((i): i is Interval => i !== undefined);
  if (value.type !== 'Timing') return [];
  const parts = [
    ...((json.event as string[] | undefined) ?? []).map(dateInterval),
    ...[(json.repeat as Json | undefined)?.boundsPeriod as Json | undefined].map((p) => (p ? periodInterval(p) : undefined)),
  ].filter((i): i is Interval => i !== undefined);
  if (parts.length === 0) return [];
  return [{ lo: Math.min(...parts.map((p) => p.lo)), hi: Math.max(...parts.map((p) => p.hi)) }];
}

function prefix(search: string): { op: string; rest: string } {
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)(.*)$/.exec(search);
  return m ? { op: m[1]!, rest: m[2]! } : { op: 'eq', rest: search };
}

/** The prefix rules on ranges: stored [lo, hi) against search [pl, ph). */
function compareRanges(op: string, { lo, hi }: Interval, { lo: pl, hi: ph }: Interval): boolean {
  const eq = lo >= pl && hi <= ph;
  switch (op) {
    case 'eq': return eq;
    case 'ne': return !eq;
    case 'gt': return hi > ph;
    case 'lt': return lo < pl;
    case 'ge': return hi > ph || eq;
    case 'le': return lo < pl || eq;
    case 'sa': return lo >= ph;
    case 'eb': return hi <= pl;
    default: throw new Error(`oracle: prefix ${op} is not modelled`);
  }
}

export function dateMatches(values: TypedValue[], search: string): boolean {
  const { op, rest } = prefix(search);
  const wanted = dateInterval(rest);
  if (!wanted) throw new Error(`oracle: '${rest}' is not a date`);
  return values.flatMap(dateIntervals).some((stored) => compareRanges(op, stored, wanted));
}

/** A number as written, with the range its significant figures stand for. */
function searchNumber(text: string): { v: number; lo: number; hi: number } {
  const m = /^[+-]?\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error(`oracle: '${text}' is not a number`);
  const v = Number(text);
  const half = 0.5 * 10 ** -((m[1]?.length ?? 0) - Number(m[2] ?? 0));
  const tidy = (x: number) => Number(x.toPrecision(12));
  return { v, lo: tidy(v - half), hi: tidy(v + half) };
}

/**
 * A stored number against a search number with a prefix. The stored value is an interval: a
 * plain value is exact ([v, v]), a Range covers [low, high]. eq = the search value's precision
 * range contains it; gt = some of it lies above the search value, and so on.
 */
function compareNumber(op: string, { lo, hi }: Interval, search: { v: number; lo: number; hi: number }): boolean {
  const eq = lo >= search.lo && hi < search.hi;
  switch (op) {
    case 'eq': return eq;
    case 'ne': return !eq;
    case 'gt': return hi > search.v;
    case 'lt': return lo < search.v;
    case 'ge': return hi >= search.v;
    case 'le': return lo <= search.v;
    default: throw new Error(`oracle: prefix ${op} is not modelled for numbers`);
  }
}

const numberOf = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** A Range's ends (open ends unbounded), or undefined without either. */
function rangeInterval(range: Json): Interval | undefined {
  const low = numberOf((range.low as Json | undefined)?.value);
  const high = numberOf((range.high as Json | undefined)?.value);
  if (low === undefined && high === undefined) return undefined;
  return { lo: low ?? -Infinity, hi: high ?? Infinity };
}

export function numberIntervals(value: TypedValue): Interval[] {
  if (typeof value.data === 'number') return [{ lo: value.data, hi: value.data }];
  const range = value.type === 'Range' ? rangeInterval(value.data as Json) : undefined;
  return range ? [range] : [];
}

export function numberMatches(values: TypedValue[], search: string): boolean {
  const { op, rest } = prefix(search);
  const wanted = searchNumber(rest);
  return values.flatMap(numberIntervals).some((n) => compareNumber(op, n, wanted));
}

export const UCUM = 'http://unitsofmeasure.org';
const CURRENCY = 'urn:iso:std:iso:4217';

export interface StoredQuantity extends Interval {
  system?: string;
  code?: string;
  unit?: string;
}

const units = (q: Json) => ({ system: q.system as string | undefined, code: q.code as string | undefined, unit: q.unit as string | undefined });

/** Quantity and its profiles (Age, Duration…), Money (the currency as an ISO 4217 code), Range (in the units of its ends). */
export function quantities(value: TypedValue): StoredQuantity[] {
  const json = value.data as Json;
  if (typeof json !== 'object' || json === null) return [];
  if (value.type === 'Range') {
    const interval = rangeInterval(json);
    return interval ? [{ ...interval, ...units(((json.low as Json | undefined) ?? json.high) as Json) }] : [];
  }
  if (typeof json.value !== 'number') return [];
  if (value.type === 'Money') return [{ lo: json.value, hi: json.value, system: CURRENCY, code: json.currency as string | undefined }];
  return [{ lo: json.value, hi: json.value, ...units(json) }];
}

interface Ucum {
  convertUnitTo(from: string, value: number, to: string): { status: string; toVal: number | null };
  convertToBaseUnits(from: string, value: number): { status: string; magnitude?: number };
}
let loaded: Ucum | undefined;

function ucum(): Ucum {
  loaded ??= (createRequire(import.meta.url)('@lhncbc/ucum-lhc') as { UcumLhcUtils: { getInstance(): Ucum } }).UcumLhcUtils.getInstance();
  return loaded;
}

/** What `_sort` orders a quantity by: its ends in UCUM base units (so 185 lb sorts after 80 kg), else as written. */
export function quantitySortValues(q: StoredQuantity): number[] {
  const toBase = (x: number) => {
    if (q.system !== UCUM || q.code === undefined || !Number.isFinite(x)) return x;
    const base = ucum().convertToBaseUnits(q.code, x);
    return base.status === 'succeeded' && base.magnitude !== undefined ? base.magnitude : x;
  };
  return [toBase(q.lo), toBase(q.hi)];
}

/** A stored UCUM quantity in the unit `to`, or undefined when the units are not commensurable. */
function convert(q: StoredQuantity, to: string): Interval | undefined {
  if (q.system !== UCUM || q.code === undefined) return undefined;
  if (q.code === to) return q;
  const one = (x: number) => {
    if (!Number.isFinite(x)) return x;
    const result = ucum().convertUnitTo(q.code!, x, to);
    return result.status === 'succeeded' && result.toVal !== null ? result.toVal : undefined;
  };
  const [lo, hi] = [one(q.lo), one(q.hi)];
  return lo !== undefined && hi !== undefined ? { lo: Math.min(lo, hi), hi: Math.max(lo, hi) } : undefined;
}

export function quantityMatches(values: TypedValue[], search: string): boolean {
  const { op, rest } = prefix(search);
  const [number, system, code, ...extra] = splitBars(rest);
  if (extra.length > 0) throw new Error(`oracle: '${search}' is not a quantity`);
  const wanted = searchNumber(number!);
  return values.flatMap(quantities).some((q) => {
    if (!system && !code) return compareNumber(op, q, wanted);
    if (!system) return (q.code === code || q.unit === code) && compareNumber(op, q, wanted);
    if (system === UCUM && code) {
      const converted = convert(q, code);
      return converted !== undefined && compareNumber(op, converted, wanted);
    }
    return q.system === system && q.code === code && compareNumber(op, q, wanted);
  });
}
