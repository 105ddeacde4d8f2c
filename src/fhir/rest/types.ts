/** Plain request/response shapes used below the HTTP layer (no express types). */
import type { Resource } from '@medplum/fhirtypes';
import type { Access } from '../../auth/access';
import type { Logger } from '../../platform/logger';

export type Query = Record<string, string[]>;

/**
 * A Query from name/value pairs (a query string, a form body, a header). Without a prototype:
 * parameter names are user input, and `toString` or `constructor` must be names like any other.
 */
export function queryFrom(pairs: Iterable<[string, string]>, into: Query = Object.create(null) as Query): Query {
  for (const [name, value] of pairs) {
    const values = Object.hasOwn(into, name) ? into[name]! : (into[name] = []);
    values.push(value);
  }
  return into;
}

export interface FhirRequest {
  method: string;
  /** Path below the FHIR base, split on '/', without empty segments. */
  segments: string[];
  query: Query;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  /** Raw body bytes (undefined when none was sent). */
  body: Buffer | undefined;
  requestId: string;
  log: Logger;
  /** Who is asking (auth/access.ts); bundle entries carry their Bundle's. */
  access: Access;
  /** The caller's network address, for audit. */
  clientIp?: string;
  /** Internal only (transaction entries): the id a create must use. Never set from HTTP. */
  assignedId?: string;
}

export interface FhirResponse {
  status: number;
  headers?: Record<string, string>;
  /** A resource to serialise, raw bytes (Binary) or nothing. */
  resource?: Resource;
  /** The resource's JSON text while it is still the truth (version-text.ts): sent as it is, unless pretty-printed. */
  text?: () => string | undefined;
  raw?: { contentType: string; data: Buffer };
}

export function first(query: Query, name: string): string | undefined {
  return query[name]?.[0];
}
