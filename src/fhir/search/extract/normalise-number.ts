/**
 * number parameters: the value with the implicit range of its significant figures; a Range
 * covers low..high (open ends unbounded) and has no single value.
 */
import type { IndexBuilder } from './index-builder';
import { precisionRange } from './number-precision';
import { MAX_NUMBER, MIN_NUMBER } from './types';

type Json = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function normaliseNumber(p: string, value: unknown, type: string, out: IndexBuilder): void {
  const v = num(value);
  if (v !== undefined) {
    const { lo, hi } = precisionRange(v);
    out.num.push({ p, v, lo, hi });
    return;
  }
  if (type !== 'Range' || typeof value !== 'object' || value === null) return;
  const low = num(((value as Json).low as Json | undefined)?.value);
  const high = num(((value as Json).high as Json | undefined)?.value);
  if (low === undefined && high === undefined) return;
  out.num.push({ p, lo: low ?? MIN_NUMBER, hi: high ?? MAX_NUMBER });
}
