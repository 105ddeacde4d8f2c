/**
 * Dispatches one evaluated node to the normaliser of its parameter's type. `type` is the
 * node's type key (compile-path.ts): the FHIR type decides how a value is read.
 */
import type { ExtractContext, IndexBuilder } from './index-builder';
import { normaliseDate } from './normalise-date';
import { normaliseNumber } from './normalise-number';
import { normaliseQuantity } from './normalise-quantity';
import { canonicalEntry, normaliseReference } from './normalise-reference';
import { normaliseString } from './normalise-string';
import { normaliseToken } from './normalise-token';
import type { SearchParamType } from './types';

function normaliseUri(p: string, value: unknown, out: IndexBuilder): void {
  if (typeof value === 'string' && value.length > 0) out.uri.push({ p, v: value });
}

export function normaliseValue(
  paramType: SearchParamType, p: string, value: unknown, type: string, out: IndexBuilder, ctx: ExtractContext,
): void {
  switch (paramType) {
    case 'string':
      return normaliseString(p, value, type, out);
    case 'token':
      return normaliseToken(p, value, type, out);
    case 'reference':
      return normaliseReference(p, value, type, out, ctx);
    case 'date':
      return normaliseDate(p, value, type, out);
    case 'number':
      return normaliseNumber(p, value, type, out);
    case 'quantity':
      return normaliseQuantity(p, value, type, out);
    case 'uri':
      normaliseUri(p, value, out);
      // `_profile` and other canonical-valued uri params also match as canonical references.
      if (type === 'canonical' && typeof value === 'string') {
        const e = canonicalEntry(p, value);
        if (e) out.ref.push(e);
      }
      return;
    default:
      return; // composite is handled by composite.ts; special needs server code (Location near)
  }
}
