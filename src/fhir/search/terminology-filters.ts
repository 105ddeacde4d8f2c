/**
 * Token modifiers that need the terminology service (search.html#modifiers), turned into plain
 * token criteria before the store sees them:
 *  - `:in` / `:not-in`: the codes of a ValueSet (stored here or R4 core), a whole code system
 *    becoming "any code of that system";
 *  - `:below` / `:above` with `system|code`: the code and every code it subsumes (or that
 *    subsume it) in that code system's hierarchy.
 * At most MAX_OR_VALUES codes: a broader set is refused rather than answered partly.
 */
import type { Criterion, TokenValue } from '../../store/search-criteria';
import type { Terminology } from '../../terminology/terminology';
import { FhirError, issue } from '../outcomes';
import type { SearchFilter } from './parse';
import { MAX_OR_VALUES } from './parse-value';

type TerminologyFilter = Extract<SearchFilter, { kind: 'valueset' | 'subsumption' }>;

function tooMany(name: string): FhirError {
  return new FhirError([issue('too-costly', `Search parameter '${name.slice(0, 80)}' stands for more than ${MAX_OR_VALUES} codes; too many to search on`)], 400);
}

async function valueSetTokens(terminology: Terminology, urls: readonly string[]): Promise<TokenValue[]> {
  const tokens: TokenValue[] = [];
  for (const url of urls) {
    const set = await terminology.expander.expandCanonical(url);
    for (const system of set.wholeSystems.keys()) tokens.push({ s: system });
    for (const concept of set.concepts.values()) if (!set.wholeSystems.has(concept.system)) tokens.push({ s: concept.system, c: concept.code });
  }
  return tokens;
}

async function subsumedTokens(terminology: Terminology, filter: Extract<TerminologyFilter, { kind: 'subsumption' }>): Promise<TokenValue[]> {
  const tokens: TokenValue[] = [];
  for (const { system, code } of filter.codings) {
    const cs = await terminology.resolver.codeSystem(system);
    // Only a complete code system tells what lies below a code (SNOMED's R4 stub is not-present).
    if (!cs?.complete) throw new FhirError([issue('not-supported', `Search parameter '${filter.name.slice(0, 80)}': code system '${system.slice(0, 120)}' is not loaded on this server in full`)], 400);
    const codes = filter.direction === 'below' ? cs.descendants(code) : cs.ancestors(code);
    // A code the system does not define still matches itself, as a plain token search would.
    for (const c of codes.length > 0 ? codes : [code]) tokens.push({ s: system, c });
  }
  return tokens;
}

/** The token criterion a terminology filter stands for. */
export async function terminologyCriterion(terminology: Terminology, filter: TerminologyFilter): Promise<Criterion> {
  const tokens = filter.kind === 'valueset' ? await valueSetTokens(terminology, filter.urls) : await subsumedTokens(terminology, filter);
  if (tokens.length > MAX_OR_VALUES) throw tooMany(filter.name);
  const not = filter.kind === 'valueset' && filter.not;
  // An empty set: nothing is in it, everything is outside it.
  if (tokens.length === 0) return { index: 'id', ids: [], not };
  return { index: 'tok', p: filter.info.code, values: tokens, not };
}
