/**
 * token parameters (search.html#token): Coding and CodeableConcept as system + code (display
 * and text for `:text`), Identifier as system + value (with `:of-type` entries), ContactPoint
 * by value, booleans as 'true'/'false', code-like primitives as a bare code.
 */
import type { IndexBuilder } from './index-builder';
import { normaliseText } from './normalise-text';
import type { TokenEntry } from './types';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function entry(p: string, system: string | undefined, code: string | undefined, text: string | undefined): TokenEntry | undefined {
  if (system === undefined && code === undefined && text === undefined) return undefined;
  const e: TokenEntry = { p };
  if (system !== undefined) e.s = system;
  if (code !== undefined) e.c = code;
  if (text !== undefined) {
    const t = normaliseText(text);
    if (t.length > 0) e.t = t;
    else if (system === undefined && code === undefined) return undefined;
  }
  return e;
}

function push(out: IndexBuilder, e: TokenEntry | undefined): void {
  if (e) out.tok.push(e);
}

function coding(p: string, c: Json, out: IndexBuilder): void {
  push(out, entry(p, str(c.system), str(c.code), str(c.display)));
}

function codeableConcept(p: string, cc: Json, out: IndexBuilder): void {
  if (Array.isArray(cc.coding)) for (const c of cc.coding) if (typeof c === 'object' && c !== null) coding(p, c as Json, out);
  const text = str(cc.text);
  if (text !== undefined) push(out, entry(p, undefined, undefined, text));
}

function identifier(p: string, id: Json, out: IndexBuilder): void {
  const value = str(id.value);
  const type = id.type as Json | undefined;
  push(out, entry(p, str(id.system), value, str(type?.text)));
  // `:of-type` matches type system|code|value exactly: one entry per type coding.
  if (value === undefined || !Array.isArray(type?.coding)) return;
  for (const c of type.coding as Json[]) {
    const code = str(c?.code);
    if (code !== undefined) push(out, entry(`${p}:of-type`, str(c.system), `${code}|${value}`, undefined));
  }
}

export function normaliseToken(p: string, value: unknown, type: string, out: IndexBuilder): void {
  if (typeof value === 'string') {
    if (value.length > 0) out.tok.push({ p, c: value });
    return;
  }
  if (typeof value === 'boolean') {
    out.tok.push({ p, c: value ? 'true' : 'false' });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const json = value as Json;
  switch (type) {
    case 'CodeableConcept':
      return codeableConcept(p, json, out);
    case 'Coding':
      return coding(p, json, out);
    case 'Identifier':
      return identifier(p, json, out);
    case 'ContactPoint': {
      const v = str(json.value);
      if (v !== undefined) out.tok.push({ p, c: v });
      return;
    }
  }
}
