/**
 * Search criteria as the store receives them: already parsed and normalised (src/fhir/search),
 * expressed over the search index stored with each current version (src/fhir/search/extract/
 * types.ts: `str`, `tok`, `ref`, `date`, `num`, `qty`, `uri`, `comp` entries, each tagged with
 * its parameter code `p`). The store compiles them to its own query language; it never sees
 * FHIR query strings.
 *
 * Criteria in a list are ANDed; the values inside one criterion are ORed.
 */

/** FHIR search prefixes (search.html#prefix). */
export type Comparator = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** A token test: `s` undefined = any system, null = no system; `c` undefined = any code. */
export interface TokenValue {
  s?: string | null;
  c?: string;
}

export interface ReferenceValue {
  /** `Type/id`, an absolute URL or a canonical URL. */
  r?: string;
  /** Any reference to a resource of this type (`:[type]` without id). */
  ty?: string;
  /** Canonical version, when the search value named one (`url|1.0`). */
  v?: string;
}

/** The search value's range (its precision) with the comparator; instants as Dates. */
export interface DateValue {
  op: Comparator;
  lo: Date;
  hi: Date;
}

/** `v` as written, [lo, hi) its implicit precision range (search.html#number). */
export interface NumberValue {
  op: Comparator;
  v: number;
  lo: number;
  hi: number;
}

/** Quantity: compared on the canonical UCUM form when `canonical` is set (then `c` is the canonical code). */
export interface QuantityValue extends NumberValue {
  s?: string;
  c?: string;
  canonical?: boolean;
}

/** One component of a composite value: the test that component's own type would make. */
export type ComponentTest =
  | { index: 'tok'; value: TokenValue }
  | { index: 'str'; value: string }
  | { index: 'ref'; value: ReferenceValue }
  | { index: 'date'; value: DateValue }
  | { index: 'num'; value: NumberValue }
  | { index: 'qty'; value: QuantityValue }
  | { index: 'uri'; value: string };

export type Criterion =
  /** `prefix` and `contains` compare normalised text, `exact` the value as written. */
  | { index: 'str'; p: string; match: 'prefix' | 'exact' | 'contains'; values: string[] }
  /** `text`: prefix match on the normalised display/text. `not`: no entry matches (`:not`). */
  | { index: 'tok'; p: string; values: TokenValue[]; not?: boolean }
  | { index: 'tok'; p: string; text: string[] }
  | { index: 'ref'; p: string; values: ReferenceValue[] }
  | { index: 'date'; p: string; values: DateValue[] }
  | { index: 'num'; p: string; values: NumberValue[] }
  | { index: 'qty'; p: string; values: QuantityValue[] }
  /** `below`: the stored URI starts with the value; `above`: the value starts with the stored URI. */
  | { index: 'uri'; p: string; match: 'eq' | 'below' | 'above'; values: string[] }
  /** Each value is one combination: every component test must hold on the same composite entry. */
  | { index: 'comp'; p: string; values: ComponentTest[][] }
  /** `:missing`: whether the resource has no value at all for `p` in that index. */
  | { index: IndexName; p: string; missing: boolean }
  /** The resource's own id is one of these (`_id`, and resolved `_has`). */
  | { index: 'id'; ids: string[]; not?: boolean }
  /** `_lastUpdated`, compared on the stored version timestamp. */
  | { index: 'lastUpdated'; values: DateValue[] }
  /** At least one of these holds (compartment membership: any of several reference parameters); `not`: none holds. */
  | { index: 'any'; of: Criterion[]; not?: boolean };

export type IndexName = 'str' | 'tok' | 'ref' | 'date' | 'num' | 'qty' | 'uri' | 'comp';

/** A sort key: a parameter code (its stored sort key), or the id / last-updated time. */
export interface SortKey {
  key: string | '_id' | '_lastUpdated';
  descending: boolean;
}
