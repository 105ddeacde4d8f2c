/**
 * The search condition of a conditional interaction (If-None-Exist, PUT/DELETE/PATCH
 * [type]?query). Until the search issue lands, conditions are limited to `_id` and
 * `identifier`; anything else is refused (400) rather than ignored, because ignoring a
 * criterion would make the server act on the wrong resources.
 */
import { errors } from '../outcomes';
import type { Query } from '../rest/types';

export interface Condition {
  /** `_id` values: OR within one parameter, AND across repeats (intersection). */
  ids?: string[][];
  /** Identifier token keys (see identifierKeys): OR within one parameter, AND across repeats. */
  identifiers?: string[][];
  /** Canonical text of the condition, equal for equal conditions. */
  key: string;
}

/** Result-shaping parameters that may accompany a conditional URL without being criteria. */
const NOT_CRITERIA = new Set(['_format', '_pretty', '_summary', '_elements']);

/** The index key of one token value: `S|V` exact, `|V` no system, `V` any system, `S|` any value. */
export function tokenKey(value: string): string {
  const bar = value.indexOf('|');
  if (bar < 0) return `*|${value}`;
  const system = value.slice(0, bar);
  const code = value.slice(bar + 1);
  return code === '' ? `${system}|*` : `${system}|${code}`;
}

function splitOr(value: string, name: string): string[] {
  // FHIR escapes commas inside values as `\,`.
  const parts = value.split(/(?<!\\),/).map((part) => part.replace(/\\,/g, ','));
  if (parts.some((part) => part === '')) throw errors.invalid(`Empty value in condition parameter '${name}'`, name);
  return parts;
}

export function parseCondition(query: Query): Condition {
  const ids: string[][] = [];
  const identifiers: string[][] = [];
  const canonical: string[] = [];
  for (const [name, values] of Object.entries(query)) {
    if (NOT_CRITERIA.has(name)) continue;
    for (const value of values) {
      if (name === '_id') ids.push(splitOr(value, name));
      else if (name === 'identifier') identifiers.push(splitOr(value, name).map(tokenKey));
      else {
        throw errors.invalid(
          `Conditional interactions support only _id and identifier for now (got '${name.slice(0, 40)}')`,
          name.slice(0, 40),
        );
      }
      canonical.push(`${name}=${value}`);
    }
  }
  if (canonical.length === 0) throw errors.invalid('A conditional interaction needs at least one search criterion');
  const condition: Condition = { key: canonical.sort().join('&') };
  if (ids.length > 0) condition.ids = ids;
  if (identifiers.length > 0) condition.identifiers = identifiers;
  return condition;
}

/** Parses the If-None-Exist header: a query string without the leading `?`. */
export function parseConditionHeader(header: string): Condition {
  const query: Query = {};
  for (const [name, value] of new URLSearchParams(header.replace(/^\?/, ''))) (query[name] ??= []).push(value);
  return parseCondition(query);
}
