/**
 * string, token and uri matching, written from search.html (R4) rather than from the server:
 * - string: the value equals or starts with the search text, both compared without case or
 *   accents; `:exact` the whole string as written; `:contains` anywhere. HumanName and Address
 *   match on any of their parts.
 * - token: `code`, `system|code`, `|code` (no system), `system|`; `:text` on the display
 *   text; `:of-type` on Identifier type + value.
 * - uri: equal; `:below` starts with the value; `:above` is a parent path of the value.
 */
import type { TypedValue } from './values';

type Json = Record<string, unknown>;

/** Lower case, accents removed. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const HUMAN_NAME = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];

function parts(value: Json, fields: string[]): string[] {
  return fields.flatMap((field) => [value[field]].flat()).filter((v): v is string => typeof v === 'string');
}

/** The strings a string parameter searches in one value. */
export function stringParts(value: TypedValue): string[] {
  if (typeof value.data === 'string') return [value.data];
  if (typeof value.data !== 'object' || value.data === null) return [];
  if (value.type === 'HumanName') return parts(value.data as Json, HUMAN_NAME);
  if (value.type === 'Address') return parts(value.data as Json, ADDRESS);
  return [];
}

export function stringMatches(values: TypedValue[], search: string, modifier: string | undefined): boolean {
  const all = values.flatMap(stringParts);
  if (modifier === 'exact') return all.includes(search);
  const wanted = fold(search);
  if (modifier === 'contains') return all.some((s) => fold(s).includes(wanted));
  return all.some((s) => fold(s).startsWith(wanted));
}

/** One code a token parameter can match: system, code, and the text `:text` searches. */
export interface Code {
  system?: string;
  code?: string;
  text?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function coding(c: Json): Code {
  return { system: str(c.system), code: str(c.code), text: str(c.display) };
}

/** The codes of one value, by its type (search.html#token table). */
export function tokenCodes(value: TypedValue): Code[] {
  const data = value.data;
  if (typeof data === 'boolean') return [{ code: String(data) }];
  if (typeof data === 'string') return [{ code: data }];
  if (typeof data !== 'object' || data === null) return [];
  const json = data as Json;
  switch (value.type) {
    case 'Coding':
      return [coding(json)];
    case 'CodeableConcept':
      return [...((json.coding as Json[] | undefined) ?? []).map(coding), { text: str(json.text) }];
    case 'Identifier':
      return [{ system: str(json.system), code: str(json.value), text: str((json.type as Json | undefined)?.text) }];
    case 'ContactPoint':
      return [{ code: str(json.value) }];
    default:
      return [];
  }
}

/** Splits at `|` not escaped with a backslash, unescaping the parts. */
export function splitBars(value: string): string[] {
  return value.split(/(?<!\\)\|/).map((part) => part.replace(/\\([\\|$,])/g, '$1'));
}

export function tokenMatches(values: TypedValue[], search: string, modifier: string | undefined): boolean {
  if (modifier === 'text') {
    const wanted = fold(search);
    return values.flatMap(tokenCodes).some((c) => c.text !== undefined && fold(c.text).startsWith(wanted));
  }
  if (modifier === 'of-type') {
    const [system, code, id] = splitBars(search);
    return values.some((v) => {
      if (v.type !== 'Identifier') return false;
      const identifier = v.data as Json;
      const types = ((identifier.type as Json | undefined)?.coding as Json[] | undefined) ?? [];
      return identifier.value === id && types.some((t) => t.code === code && (system === '' ? t.system === undefined : t.system === system));
    });
  }
  const codes = values.flatMap(tokenCodes);
  const bars = splitBars(search);
  if (bars.length === 1) return codes.some((c) => c.code === bars[0]);
  const [system, code] = [bars[0]!, bars.slice(1).join('|')];
  if (system === '') return codes.some((c) => c.system === undefined && c.code === code);
  if (code === '') return codes.some((c) => c.system === system);
  return codes.some((c) => c.system === system && c.code === code);
}

/** Whether `stored` is `value` or one of its parents: `value` continues after it at a `/`. */
function isAbove(stored: string, value: string): boolean {
  if (!value.startsWith(stored)) return false;
  return value.length === stored.length || stored.endsWith('/') || value[stored.length] === '/';
}

export function uriMatches(values: TypedValue[], search: string, modifier: string | undefined): boolean {
  const uris = values.map((v) => v.data).filter((v): v is string => typeof v === 'string');
  if (modifier === 'below') return uris.some((u) => u.startsWith(search));
  if (modifier === 'above') return uris.some((u) => isAbove(u, search));
  return uris.includes(search);
}
