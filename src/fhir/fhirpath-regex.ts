/**
 * FHIRPath's regex functions (`matches`, `matchesFull`, `replaceMatches`) for fhirpath.js's
 * `userInvocationTable`, compiled with linearRegex so that no expression (a FHIRPath Patch path,
 * a custom SearchParameter, a stored profile's invariant) can stall the server on a crafted
 * pattern. As in fhirpath.js: single-line mode (`s`), the `m` flag allowed; `i`, backreferences
 * and lookaround are evaluation errors (platform/linear-regex.ts).
 */
import type { UserInvocationTable } from 'fhirpath';
import { linearRegex } from '../platform/linear-regex';

type Collection = unknown[];

/** The input as a string, [] when empty (fhirpath.js's singleton of type String). */
function inputString(coll: Collection, fn: string): string | [] {
  if (coll.length > 1) throw new Error(`${fn}() expects a single string, got a collection of ${coll.length}`);
  if (coll.length === 0) return [];
  const item = coll[0] as { data?: unknown } | string | null;
  const value = item !== null && typeof item === 'object' && 'data' in item ? item.data : item;
  if (value === null || value === undefined) return [];
  if (typeof value !== 'string') throw new Error(`${fn}() expects a string`);
  return value;
}

const isEmpty = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && value.length === 0);

function flagsFor(flags: unknown): string {
  if (isEmpty(flags)) return 's';
  if (typeof flags !== 'string' || !/^[im]*$/.test(flags)) throw new Error('matches/matchesFull flags must only contain i and/or m');
  return `s${flags}`;
}

function matches(this: unknown, coll: Collection, regex: unknown, flags?: unknown): boolean | [] {
  const str = inputString(coll, 'matches');
  if (isEmpty(regex) || isEmpty(str)) return [];
  return linearRegex(String(regex), flagsFor(flags)).test(str as string);
}

function matchesFull(this: unknown, coll: Collection, regex: unknown, flags?: unknown): boolean | [] {
  const str = inputString(coll, 'matchesFull');
  if (isEmpty(regex) || isEmpty(str)) return [];
  return linearRegex(`^(?:${String(regex)})$`, flagsFor(flags)).test(str as string);
}

function replaceMatches(this: unknown, coll: Collection, regex: unknown, substitution: unknown): string | [] {
  const str = inputString(coll, 'replaceMatches');
  if (isEmpty(regex) || isEmpty(substitution) || isEmpty(str)) return [];
  return (str as string).replace(linearRegex(String(regex), 'g'), String(substitution));
}

/** Pass as `userInvocationTable` to every fhirpath.js compile/evaluate. */
export const LINEAR_REGEX_FUNCTIONS: UserInvocationTable = {
  matches: { fn: matches, arity: { 1: ['String'], 2: ['String', 'String'] } },
  matchesFull: { fn: matchesFull, arity: { 1: ['String'], 2: ['String', 'String'] } },
  replaceMatches: { fn: replaceMatches, arity: { 2: ['String', 'String'] } },
};
