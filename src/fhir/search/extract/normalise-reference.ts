/**
 * reference parameters: literal references as `Type/id` (relative, or absolute under this
 * server's base; any `/_history/n` dropped), other absolute URLs as written, canonicals with
 * their `|version` split off. `Reference.identifier` also gives a token entry for
 * `:identifier`. Contained references (`#id`) point inside the resource: not indexed.
 */
import type { ExtractContext, IndexBuilder } from './index-builder';
import { parseLiteralReference } from './reference-type';
import type { ReferenceEntry } from './types';

type Json = Record<string, unknown>;

/** `Type/id` for relative references and those under `baseUrl`; otherwise the URL as written. */
export function normaliseReferenceString(reference: string, baseUrl: string): { r: string; ty?: string } | undefined {
  if (reference.length === 0 || reference.startsWith('#')) return undefined;
  const parsed = parseLiteralReference(reference);
  if (!parsed) return { r: reference };
  if (parsed.base === undefined || parsed.base === baseUrl) return { r: `${parsed.type}/${parsed.id}`, ty: parsed.type };
  return { r: reference, ty: parsed.type };
}

/** A canonical URL: `url|version` → r = url, v = version. */
export function canonicalEntry(p: string, value: string): ReferenceEntry | undefined {
  if (value.length === 0) return undefined;
  const bar = value.indexOf('|');
  if (bar < 0) return { p, r: value };
  const e: ReferenceEntry = { p, r: value.slice(0, bar) };
  if (bar + 1 < value.length) e.v = value.slice(bar + 1);
  return e;
}

function reference(p: string, ref: Json, out: IndexBuilder, ctx: ExtractContext): void {
  if (typeof ref.reference === 'string') {
    const n = normaliseReferenceString(ref.reference, ctx.baseUrl);
    if (n) {
      const e: ReferenceEntry = { p, r: n.r };
      const ty = n.ty ?? (typeof ref.type === 'string' ? ref.type : undefined);
      if (ty !== undefined) e.ty = ty;
      out.ref.push(e);
    }
  }
  const id = ref.identifier as Json | undefined;
  if (typeof id === 'object' && id !== null && typeof id.value === 'string') {
    const e: { p: string; s?: string; c: string } = { p: `${p}:identifier`, c: id.value };
    if (typeof id.system === 'string') e.s = id.system;
    out.tok.push(e);
  }
}

export function normaliseReference(p: string, value: unknown, type: string, out: IndexBuilder, ctx: ExtractContext): void {
  if (typeof value === 'string') {
    const e = canonicalEntry(p, value);
    if (e) out.ref.push(e);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const json = value as Json;
  if (type === 'Reference') return reference(p, json, out, ctx);
  // A resource inline (Bundle.entry[0].resource for Bundle `composition`/`message`).
  if (typeof json.resourceType === 'string' && typeof json.id === 'string') {
    out.ref.push({ p, r: `${json.resourceType}/${json.id}`, ty: json.resourceType });
  }
}
