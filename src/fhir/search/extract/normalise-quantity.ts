/**
 * quantity parameters: Quantity and its profiles (Age, Duration…), Money (ISO 4217 currency
 * as the code), SampledData (its origin) and Range (low..high, without a value). UCUM
 * quantities also carry their canonical form, so a search in grams finds values recorded in
 * milligrams.
 */
import type { IndexBuilder } from './index-builder';
import type { QuantityEntry } from './types';
import { MAX_NUMBER, MIN_NUMBER } from './types';
import { UCUM_SYSTEM, ucumCanonical } from './ucum';

type Json = Record<string, unknown>;

export const CURRENCY_SYSTEM = 'urn:iso:std:iso:4217';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function withUnits(e: QuantityEntry, system: string | undefined, code: string | undefined, unit: string | undefined): QuantityEntry {
  if (system !== undefined) e.s = system;
  if (code !== undefined) e.c = code;
  if (unit !== undefined) e.u = unit;
  if (system !== UCUM_SYSTEM || code === undefined) return e;
  const canonical = ucumCanonical(code);
  if (!canonical) return e;
  if (e.v !== undefined) {
    // A value: only its canonical value (ranges are the search value's business).
    const cv = canonical.convert(e.v);
    if (cv === undefined) return e;
    e.cv = cv;
  } else {
    const clo = e.lo === undefined || e.lo === MIN_NUMBER ? MIN_NUMBER : canonical.convert(e.lo);
    const chi = e.hi === undefined || e.hi === MAX_NUMBER ? MAX_NUMBER : canonical.convert(e.hi);
    if (clo === undefined || chi === undefined) return e;
    e.clo = Math.min(clo, chi);
    e.chi = Math.max(clo, chi);
  }
  e.cc = canonical.code;
  return e;
}

function quantity(p: string, q: Json, out: IndexBuilder): void {
  const v = num(q.value);
  if (v === undefined) return;
  out.qty.push(withUnits({ p, v }, str(q.system), str(q.code), str(q.unit)));
}

function range(p: string, r: Json, out: IndexBuilder): void {
  const low = r.low as Json | undefined;
  const high = r.high as Json | undefined;
  const lo = num(low?.value);
  const hi = num(high?.value);
  if (lo === undefined && hi === undefined) return;
  const units = lo !== undefined ? low! : high!;
  // No single value: the entry is compared as the range lo..hi.
  const e: QuantityEntry = { p, lo: lo ?? MIN_NUMBER, hi: hi ?? MAX_NUMBER };
  out.qty.push(withUnits(e, str(units.system), str(units.code), str(units.unit)));
}

export function normaliseQuantity(p: string, value: unknown, type: string, out: IndexBuilder): void {
  if (typeof value === 'number') {
    const v = num(value);
    if (v !== undefined) out.qty.push({ p, v });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const json = value as Json;
  switch (type) {
    case 'Range':
      return range(p, json, out);
    case 'SampledData':
      if (typeof json.origin === 'object' && json.origin !== null) quantity(p, json.origin as Json, out);
      return;
    case 'Money': {
      const v = num(json.value);
      const currency = str(json.currency);
      if (v !== undefined) out.qty.push(withUnits({ p, v }, currency && CURRENCY_SYSTEM, currency, undefined));
      return;
    }
    default:
      if ('value' in json) quantity(p, json, out);
  }
}
