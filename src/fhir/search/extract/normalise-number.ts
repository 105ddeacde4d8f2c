/**
 * number parameters: a value is stored as is (the query side applies the precision of the
 * search value, search.html#number); a Range covers low..high (open ends unbounded) and has no
 * single value.
 */
import type { IndexBuilder } from './index-builder';
import { MAX_NUMBER, MIN_NUMBER } from './types';

type Json = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function normaliseNumber(p: string, value: unknown, type: string, out: IndexBuilder): void {
  const v = num(value);
  if (v !== undefined) {
    out.num.push({ p, v });
    return;
  }
  if (type !== 'Range' || typeof value !== 'object' || value === null) return;
  const low = num(((value as Json).low as Json | undefined)?.value);
  const high = num(((value as Json).high as Json | undefined)?.value);
  if (low === undefined && high === undefined) return;
  out.num.push({ p, lo: low ?? MIN_NUMBER, hi: high ?? MAX_NUMBER });
}
