/**
 * The search condition of a conditional interaction (If-None-Exist, PUT/DELETE/PATCH
 * [type]?query, conditional references in transactions): a search query, matched with the full
 * search machinery (ConditionalService.matchIds). Parameters are strict here: an unknown or
 * unsupported one is a 400, never ignored, because ignoring a criterion would make the server
 * act on the wrong resources.
 */
import { errors } from '../outcomes';
import type { Query } from '../rest/types';
import { queryFrom } from '../rest/types';

export interface Condition {
  query: Query;
  /** Canonical text of the condition, equal for equal conditions (the claim key). */
  key: string;
}

/** Result-shaping parameters that may accompany a conditional URL without being criteria. */
const NOT_CRITERIA = new Set(['_format', '_pretty', '_summary', '_elements']);

export function parseCondition(query: Query): Condition {
  const criteria = queryFrom([]);
  const canonical: string[] = [];
  for (const [name, values] of Object.entries(query)) {
    if (NOT_CRITERIA.has(name)) continue;
    criteria[name] = values;
    for (const value of values) canonical.push(`${name}=${value}`);
  }
  if (canonical.length === 0) throw errors.invalid('A conditional interaction needs at least one search criterion');
  return { query: criteria, key: canonical.sort().join('&') };
}

/** Parses the If-None-Exist header: a query string without the leading `?`. */
export function parseConditionHeader(header: string): Condition {
  return parseCondition(queryFrom(new URLSearchParams(header.replace(/^\?/, ''))));
}
