/**
 * Matching one coding through one R4 ConceptMap: `group[].element[].target[]`, forward (source
 * code → target codes) or reverse (target code → the source codes that map to it).
 */
import type { Coding, ConceptMap, ConceptMapGroup } from '@medplum/fhirtypes';

export interface TranslateMatch {
  equivalence: string;
  concept?: Coding;
  /** The canonical URL of the map that gave the match. */
  source?: string;
}

export interface MatchOptions {
  reverse: boolean;
  /** The system the answer should be in (`targetsystem`). */
  targetSystem?: string;
}

/**
 * Read backwards, a mapping to a wider target is a mapping from a narrower source. The other
 * equivalences are symmetric.
 */
const REVERSED: Record<string, string> = { wider: 'narrower', narrower: 'wider', subsumes: 'specializes', specializes: 'subsumes' };

function coding(system: string | undefined, version: string | undefined, code: string | undefined, display: string | undefined): Coding | undefined {
  if (code === undefined) return undefined;
  return { ...(system === undefined ? {} : { system }), ...(version === undefined ? {} : { version }), code, ...(display === undefined ? {} : { display }) };
}

/** A coding without a system matches any group: the client may not know it. */
const sameSystem = (wanted: string | undefined, declared: string | undefined) => wanted === undefined || declared === undefined || wanted === declared;

function forward(map: ConceptMap, group: ConceptMapGroup, input: Coding): TranslateMatch[] {
  const elements = (group.element ?? []).filter((e) => e.code === input.code);
  const source = map.url;
  const matches = elements.flatMap((e) =>
    (e.target ?? []).map((t) => ({ equivalence: t.equivalence ?? 'equivalent', concept: coding(group.target, group.targetVersion, t.code, t.display), source })),
  );
  if (elements.length > 0 || !group.unmapped) return matches;
  // Unmapped codes (bonus): `provided` keeps the code in the target system, `fixed` gives the
  // group's fallback code. R4 gives these no equivalence: we say `equal` for the same code and
  // `inexact` for a fallback. `other-map` is not followed.
  const { mode, code, display } = group.unmapped;
  if (mode === 'provided') return [{ equivalence: 'equal', concept: coding(group.target, group.targetVersion, input.code, undefined), source }];
  if (mode === 'fixed' && code) return [{ equivalence: 'inexact', concept: coding(group.target, group.targetVersion, code, display), source }];
  return [];
}

function backward(map: ConceptMap, group: ConceptMapGroup, input: Coding): TranslateMatch[] {
  return (group.element ?? []).flatMap((e) =>
    (e.target ?? [])
      .filter((t) => t.code === input.code)
      .map((t) => ({
        equivalence: REVERSED[t.equivalence ?? ''] ?? t.equivalence ?? 'equivalent',
        concept: coding(group.source, group.sourceVersion, e.code, e.display),
        source: map.url,
      })),
  );
}

/** The matches of `input` in `map`. */
export function matchInMap(map: ConceptMap, input: Coding, options: MatchOptions): TranslateMatch[] {
  const out: TranslateMatch[] = [];
  for (const group of map.group ?? []) {
    const [from, to] = options.reverse ? [group.target, group.source] : [group.source, group.target];
    if (!sameSystem(input.system, from)) continue;
    if (options.targetSystem !== undefined && to !== options.targetSystem) continue;
    out.push(...(options.reverse ? backward(map, group, input) : forward(map, group, input)));
  }
  return out;
}
