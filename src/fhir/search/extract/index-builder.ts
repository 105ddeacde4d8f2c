/**
 * Collects index entries while a resource is extracted; `build()` drops the empty kinds.
 */
import type {
  CompositeEntry, DateEntry, NumberEntry, QuantityEntry, ReferenceEntry, SearchIndex, StringEntry, TokenEntry, UriEntry,
} from './types';

export interface ExtractContext {
  /** This server's base URL, without a trailing slash: references under it become `Type/id`. */
  readonly baseUrl: string;
}

export class IndexBuilder {
  readonly str: StringEntry[] = [];
  readonly tok: TokenEntry[] = [];
  readonly ref: ReferenceEntry[] = [];
  readonly date: DateEntry[] = [];
  readonly num: NumberEntry[] = [];
  readonly qty: QuantityEntry[] = [];
  readonly uri: UriEntry[] = [];
  readonly comp: CompositeEntry[] = [];

  build(): SearchIndex {
    const index: SearchIndex = {};
    if (this.str.length > 0) index.str = this.str;
    if (this.tok.length > 0) index.tok = this.tok;
    if (this.ref.length > 0) index.ref = this.ref;
    if (this.date.length > 0) index.date = this.date;
    if (this.num.length > 0) index.num = this.num;
    if (this.qty.length > 0) index.qty = this.qty;
    if (this.uri.length > 0) index.uri = this.uri;
    if (this.comp.length > 0) index.comp = this.comp;
    return index;
  }
}
