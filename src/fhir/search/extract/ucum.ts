/**
 * Canonical UCUM forms for quantity search (`5.4 mg` is `0.0054 g`), through @lhncbc/ucum-lhc.
 * The library takes ~40 ms to load, so it is loaded on first use; each unit code is converted
 * once and kept as an affine map (value × a + b: b is non-zero for Cel and [degF]).
 */
import { createRequire } from 'node:module';
import { clean } from './number-precision';

export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

interface ConversionResult {
  status: string;
  magnitude?: number;
  unitToExp?: Record<string, number>;
  fromUnitIsSpecial?: boolean;
}

/** What a UCUM unit expression is, for validation ($validate-code, $lookup). */
export interface UcumValidation {
  status: 'valid' | 'invalid' | 'error';
  ucumCode: string | null;
  unit?: { name?: unknown };
  msg: string[];
}

/** The parts of @lhncbc/ucum-lhc's UcumLhcUtils this server uses. */
export interface UcumUtils {
  convertToBaseUnits(unit: string, value: number): ConversionResult;
  validateUnitString(unit: string, suggest: boolean): UcumValidation;
}

export interface UcumCanonical {
  /** The canonical unit: base units with exponents, sorted (`g.m-3`); `1` when dimensionless. */
  readonly code: string;
  convert(value: number): number | undefined;
}

let utils: UcumUtils | undefined;

/** The UCUM library, loaded on first use (shared by search and the terminology operations). */
export function ucum(): UcumUtils {
  if (!utils) {
    const lib = createRequire(import.meta.url)('@lhncbc/ucum-lhc') as { UcumLhcUtils: { getInstance(): UcumUtils } };
    utils = lib.UcumLhcUtils.getInstance();
  }
  return utils;
}

/** Unit codes come from data: bound the cache so garbage units cannot grow it forever. */
const MAX_CACHED_UNITS = 10_000;
const cache = new Map<string, UcumCanonical | null>();

function canonicalCode(unitToExp: Record<string, number>): string {
  const parts = Object.keys(unitToExp)
    .sort()
    .map((u) => (unitToExp[u] === 1 ? u : `${u}${unitToExp[u]}`));
  return parts.length > 0 ? parts.join('.') : '1';
}

function build(unit: string): UcumCanonical | null {
  const u = ucum();
  const at0 = u.convertToBaseUnits(unit, 0);
  const at1 = u.convertToBaseUnits(unit, 1);
  if (at1.status !== 'succeeded' || at1.magnitude === undefined || !at1.unitToExp) return null;
  const code = canonicalCode(at1.unitToExp);
  if (at1.fromUnitIsSpecial && at0.status === 'succeeded' && at0.magnitude !== undefined) {
    const b = at0.magnitude;
    const a = at1.magnitude - b;
    const at2 = u.convertToBaseUnits(unit, 2);
    if (at2.magnitude !== undefined && Math.abs(a * 2 + b - at2.magnitude) <= 1e-9 * Math.abs(at2.magnitude)) {
      return { code, convert: (v) => clean(a * v + b) };
    }
    // Non-linear special units ([pH], decibels): convert each value.
    return {
      code,
      convert: (v) => {
        const r = u.convertToBaseUnits(unit, v);
        return r.status === 'succeeded' && r.magnitude !== undefined ? clean(r.magnitude) : undefined;
      },
    };
  }
  const a = at1.magnitude;
  return { code, convert: (v) => clean(a * v) };
}

/** The canonical form of a UCUM unit code, or undefined when UCUM does not know it. */
export function ucumCanonical(unit: string): UcumCanonical | undefined {
  let found = cache.get(unit);
  if (found === undefined) {
    try {
      found = build(unit);
    } catch {
      found = null;
    }
    if (cache.size >= MAX_CACHED_UNITS) cache.clear();
    cache.set(unit, found);
  }
  return found ?? undefined;
}
