/**
 * string parameters: one entry per string; HumanName and Address give one entry per part, as
 * search.html describes for string search on those types.
 */
import type { IndexBuilder } from './index-builder';
import { normaliseText } from './normalise-text';

const HUMAN_NAME_PARTS = ['family', 'given', 'text', 'prefix', 'suffix'] as const;
const ADDRESS_PARTS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'] as const;

function add(p: string, text: unknown, out: IndexBuilder): void {
  if (typeof text !== 'string') return;
  const n = normaliseText(text);
  if (n.length > 0) out.str.push({ p, n, x: text });
}

function addParts(p: string, value: Record<string, unknown>, parts: readonly string[], out: IndexBuilder): void {
  for (const part of parts) {
    const v = value[part];
    if (Array.isArray(v)) for (const item of v) add(p, item, out);
    else add(p, v, out);
  }
}

export function normaliseString(p: string, value: unknown, type: string, out: IndexBuilder): void {
  if (typeof value === 'string') add(p, value, out);
  else if (typeof value !== 'object' || value === null) return;
  else if (type === 'HumanName') addParts(p, value as Record<string, unknown>, HUMAN_NAME_PARTS, out);
  else if (type === 'Address') addParts(p, value as Record<string, unknown>, ADDRESS_PARTS, out);
}
