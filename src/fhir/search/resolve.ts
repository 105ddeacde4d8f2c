/**
 * Chains and reverse chains → plain criteria, by searching the other type first:
 *  - `subject:Patient.name=smith`: ids of Patients named smith → `subject` references one of them;
 *  - `_has:Observation:patient:code=x`: references held by `patient` of Observations with code x
 *    → the resource's own id is one of them.
 * Nested chains resolve inside out. Each step may produce at most MAX_MATCHES references; a
 * broader chain is refused (too-costly) rather than answered wrongly.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Criterion } from '../../store/search-criteria';
import { FhirError, issue } from '../outcomes';
import type { SearchFilter, ParseOptions } from './parse';
import { parseFilter } from './parse';
import type { SearchRegistry } from './registry';
import type { Terminology } from '../../terminology/terminology';
import { terminologyCriterion } from './terminology-filters';

export const MAX_MATCHES = 10_000;

/** What resolution needs from the store (ResourceService implements it). */
export interface MatchSource {
  matchIds(type: string, criteria: Criterion[], limit: number): Promise<string[]>;
  matchReferences(type: string, criteria: Criterion[], p: string, limit: number): Promise<string[]>;
}

function tooCostly(name: string): FhirError {
  return new FhirError([issue('too-costly', `Search parameter '${name.slice(0, 80)}' matches more than ${MAX_MATCHES} resources; narrow it`)], 400);
}

/** What resolution searches with: the store, the parameters, and terminology for token modifiers. */
export interface Resolver {
  source: MatchSource;
  registry: SearchRegistry;
  terminology: Terminology;
}

export async function resolveFilters(
  resolver: Resolver,
  filters: readonly SearchFilter[],
  options: ParseOptions,
  ignored: OperationOutcomeIssue[],
  depth = 0,
): Promise<Criterion[]> {
  const criteria: Criterion[] = [];
  for (const filter of filters) {
    if (filter.kind === 'criterion') {
      criteria.push(filter.criterion);
      continue;
    }
    const before = ignored.length;
    criteria.push(...(await resolveFilter(resolver, filter, options, ignored, depth)));
    // What a chain or _has ignored deep down is reported under the parameter the client sent,
    // so that the self link leaves that parameter out (search.html#errors).
    if (depth === 0) for (const issue of ignored.slice(before)) issue.expression = [filter.name.slice(0, 80)];
  }
  return criteria;
}

async function resolveFilter(
  resolver: Resolver,
  filter: Exclude<SearchFilter, { kind: 'criterion' }>,
  options: ParseOptions,
  ignored: OperationOutcomeIssue[],
  depth: number,
): Promise<Criterion[]> {
  const { source, registry } = resolver;
  const criteria: Criterion[] = [];
  if (filter.kind === 'valueset' || filter.kind === 'subsumption') {
    criteria.push(await terminologyCriterion(resolver.terminology, filter));
    return criteria;
  }
  if (filter.kind === 'chain') {
    // An untyped chain follows the target types that have the next parameter (Observation's
    // `encounter` may point to an EpisodeOfCare, which has no `service-provider`). When none
    // has it, the chain is unknown: refused or ignored like any unknown parameter.
    const next = filter.rest.split(/[.:]/)[0]!;
    const targets = filter.targets.filter((target) => next === '_has' || registry.get(target, next));
    if (targets.length === 0) {
      parseFilter(registry, filter.targets[0]!, filter.rest, filter.value, options, ignored, depth + 1);
      return criteria;
    }
    const references: string[] = [];
    for (const target of targets) {
      const inner = parseFilter(registry, target, filter.rest, filter.value, options, ignored, depth + 1);
      if (!inner) continue;
      const innerCriteria = await resolveFilters(resolver, [inner], options, ignored, depth + 1);
      const ids = await source.matchIds(target, innerCriteria, MAX_MATCHES + 1);
      if (ids.length > MAX_MATCHES) throw tooCostly(filter.name);
      references.push(...ids.map((id) => `${target}/${id}`));
    }
    // No referenced resource matches: nothing can match (an empty OR).
    criteria.push(references.length > 0 ? { index: 'ref', p: filter.info.code, values: references.map((r) => ({ r })) } : { index: 'id', ids: [] });
    return criteria;
  }
  const inner = parseFilter(registry, filter.type, filter.rest, filter.value, options, ignored, depth + 1);
  const innerCriteria = inner ? await resolveFilters(resolver, [inner], options, ignored, depth + 1) : [];
  const references = await source.matchReferences(filter.type, innerCriteria, filter.reference.code, MAX_MATCHES + 1);
  if (references.length > MAX_MATCHES) throw tooCostly(filter.name);
  const prefix = `${filter.target}/`;
  criteria.push({ index: 'id', ids: references.flatMap((r) => (r.startsWith(prefix) ? [r.slice(prefix.length)] : [])) });
  return criteria;
}
