/**
 * date parameters: every value as the half-open instant range it covers, at its precision
 * (`2020-03` → all of March). A Period runs from its start's range to its end's, open ends
 * extending to the limits of time. A Timing covers its outer limits: earliest to latest event
 * and its bounding Period (search.html#date).
 */
import { parseDateRange } from '../../date-range';
import type { IndexBuilder } from './index-builder';
import { MAX_DATE_MS, MIN_DATE_MS } from './types';

type Json = Record<string, unknown>;

function periodBounds(period: Json): [number, number] | undefined {
  const start = typeof period.start === 'string' ? parseDateRange(period.start) : undefined;
  const end = typeof period.end === 'string' ? parseDateRange(period.end) : undefined;
  if (!start && !end) return undefined;
  return [start ? start.start.getTime() : MIN_DATE_MS, end ? end.end.getTime() : MAX_DATE_MS];
}

function timingBounds(timing: Json): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  if (Array.isArray(timing.event)) {
    for (const event of timing.event) {
      const range = typeof event === 'string' ? parseDateRange(event) : undefined;
      if (!range) continue;
      lo = Math.min(lo, range.start.getTime());
      hi = Math.max(hi, range.end.getTime());
    }
  }
  const bounds = (timing.repeat as Json | undefined)?.boundsPeriod as Json | undefined;
  const period = bounds ? periodBounds(bounds) : undefined;
  if (period) {
    lo = Math.min(lo, period[0]);
    hi = Math.max(hi, period[1]);
  }
  return lo <= hi ? [lo, hi] : undefined;
}

export function normaliseDate(p: string, value: unknown, type: string, out: IndexBuilder): void {
  if (typeof value === 'string') {
    if (type !== 'date' && type !== 'dateTime' && type !== 'instant') return;
    const range = parseDateRange(value);
    if (range) out.date.push({ p, lo: range.start, hi: range.end });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const bounds = type === 'Period' ? periodBounds(value as Json) : type === 'Timing' ? timingBounds(value as Json) : undefined;
  if (bounds) out.date.push({ p, lo: new Date(bounds[0]), hi: new Date(bounds[1]) });
}
