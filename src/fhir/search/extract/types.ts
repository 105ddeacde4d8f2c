/**
 * The search index of one resource: the normalised values of every search parameter that
 * applies to its type, stored on the MongoDB document and queried with `$elemMatch` over a
 * few generic multikey indexes (DESIGN.md §5). This shape is the contract between extraction
 * and the query compiler.
 */

export type SearchParamType =
  | 'string' | 'token' | 'reference' | 'date' | 'number' | 'quantity' | 'uri' | 'composite' | 'special';

/** string: `n` lower-cased, accent-folded, whitespace collapsed; `x` as written (`:exact`). */
export interface StringEntry { p: string; n: string; x: string }

/** token: `s` system, `c` code, `t` normalised display/text for `:text`. */
export interface TokenEntry { p: string; s?: string; c?: string; t?: string }

/** reference: `r` `Type/id` or an absolute/canonical URL, `ty` target type, `v` canonical version. */
export interface ReferenceEntry { p: string; r: string; ty?: string; v?: string }

/** date: the half-open instant range [lo, hi) the value covers. */
export interface DateEntry { p: string; lo: Date; hi: Date }

/**
 * number: the value and the implicit range of its significant figures. A Range has no `v`:
 * lo..hi is then the range itself (open ends at MIN_NUMBER/MAX_NUMBER), compared as a range.
 */
/** A point value has only `v` (compared exactly; the precision is the search value's); a Range only `lo`/`hi`. */
export interface NumberEntry { p: string; v?: number; lo?: number; hi?: number }

/** quantity: as number (a Range without `v`/`cv`) plus system/code/unit, and the canonical UCUM form when known. */
export interface QuantityEntry {
  p: string;
  v?: number;
  lo?: number;
  hi?: number;
  s?: string;
  c?: string;
  u?: string;
  cv?: number;
  clo?: number;
  chi?: number;
  cc?: string;
}

/** uri: the value as written. */
export interface UriEntry { p: string; v: string }

/** composite: one entry per combination of component values (each entry without `p`). */
export interface CompositeEntry { p: string; c: Array<Record<string, unknown>> }

export type SortValue = string | number | Date;

export interface SearchIndex {
  str?: StringEntry[];
  tok?: TokenEntry[];
  ref?: ReferenceEntry[];
  date?: DateEntry[];
  num?: NumberEntry[];
  qty?: QuantityEntry[];
  uri?: UriEntry[];
  comp?: CompositeEntry[];
  /** Scalar sort keys by parameter code: `asc` the smallest value, `desc` the largest. */
  sort?: { asc: Record<string, SortValue>; desc: Record<string, SortValue> };
}

/** The lowest and highest instants a JS Date can hold: the open ends of a Period. */
export const MIN_DATE_MS = -8640000000000000;
export const MAX_DATE_MS = 8640000000000000;

/** The open ends of a Range, kept finite so every engine and serialiser handles them. */
export const MIN_NUMBER = -Number.MAX_VALUE;
export const MAX_NUMBER = Number.MAX_VALUE;
