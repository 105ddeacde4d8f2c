/**
 * ConceptMap/$translate (conceptmap-operation-translate) over R4 ConceptMaps. The map is the
 * instance, `conceptMap`, `url`; without one, every stored ConceptMap and, when `source` or
 * `target` is given, the R4 core maps between those ValueSets.
 *
 * `source` and `target` always name the ValueSet of the code given and of the answer wanted;
 * with `reverse` the map is read from its target to its source, so they are compared with the
 * map's target and source in that order ("reverses the meaning of the source and target").
 */
import type { Coding, ConceptMap, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { OperationInvocation } from '../../fhir/operations/registry';
import { coreConceptMaps } from '../core-terminology';
import { splitCanonical } from '../terminology-resolver';
import { clip } from './code-check';
import type { TranslateMatch } from './concept-map-match';
import { matchInMap } from './concept-map-match';
import { codingsFrom, param, parameters, stringOut, stringParam, subject } from './inputs';

/** How many stored ConceptMaps a $translate without a map URL looks through. */
const MAX_STORED_MAPS = 1000;

const canonicalUrl = (value: string | undefined) => (value === undefined ? undefined : splitCanonical(value).url);

/** Whether the map goes from ValueSet `from` to ValueSet `to` (either may be unconstrained). */
function between(map: ConceptMap, from: string | undefined, to: string | undefined): boolean {
  const source = canonicalUrl(map.sourceUri ?? map.sourceCanonical);
  const target = canonicalUrl(map.targetUri ?? map.targetCanonical);
  return (from === undefined || canonicalUrl(from) === source) && (to === undefined || canonicalUrl(to) === target);
}

async function candidateMaps(invocation: OperationInvocation, reverse: boolean): Promise<{ maps: ConceptMap[]; note?: string }> {
  const { resolver } = invocation.ctx.terminology;
  const version = stringParam(invocation, 'conceptMapVersion');
  const named = await subject<ConceptMap>(invocation, 'ConceptMap', 'conceptMap', (url) => resolver.conceptMap(url, version));
  if (named) return { maps: [named] };
  const given = [stringParam(invocation, 'source'), stringParam(invocation, 'target')] as const;
  const [from, to] = reverse ? [given[1], given[0]] : given;
  const stored = await resolver.storedConceptMaps(MAX_STORED_MAPS);
  const maps = stored.filter((map) => between(map, from, to));
  if (from !== undefined || to !== undefined) {
    const storedUrls = new Set(stored.map((m) => m.url));
    maps.push(...coreConceptMaps().filter((map) => !storedUrls.has(map.url) && between(map, from, to)));
  }
  const note = stored.length >= MAX_STORED_MAPS ? `Only ${MAX_STORED_MAPS} stored ConceptMaps were searched; name the map with 'url' to be sure` : undefined;
  return { maps, ...(note ? { note } : {}) };
}

function matchParameter(match: TranslateMatch): ParametersParameter {
  const part: ParametersParameter[] = [{ name: 'equivalence', valueCode: match.equivalence }];
  if (match.concept) part.push({ name: 'concept', valueCoding: match.concept });
  if (match.source) part.push({ name: 'source', valueUri: match.source });
  return { name: 'match', part };
}

function describeCodings(codings: readonly Coding[]): string {
  return codings.map((c) => `'${clip(c.code!)}'${c.system ? ` of '${clip(c.system)}'` : ''}`).join(', ');
}

export async function translateOperation(invocation: OperationInvocation): Promise<Parameters> {
  const codings = codingsFrom(invocation, { code: 'code', system: 'system', version: 'version', coding: 'coding', codeableConcept: 'codeableConcept' });
  const reverse = param<boolean>(invocation, 'reverse') === true;
  const targetSystem = stringParam(invocation, 'targetsystem');
  const { maps, note } = await candidateMaps(invocation, reverse);
  const seen = new Set<string>();
  const matches: TranslateMatch[] = [];
  for (const map of maps) {
    for (const input of codings) {
      for (const match of matchInMap(map, input, { reverse, ...(targetSystem === undefined ? {} : { targetSystem }) })) {
        const key = JSON.stringify(match);
        if (!seen.has(key)) matches.push(match);
        seen.add(key);
      }
    }
  }
  // R4: the result is true only when some match is neither unmatched nor disjoint.
  const result = matches.some((m) => m.equivalence !== 'unmatched' && m.equivalence !== 'disjoint');
  const why = maps.length === 0 ? 'no ConceptMap applies (name one with url, or give source or target)' : `no mapping in ${maps.length} ConceptMap(s)`;
  const message = result ? note : [`No translation for ${describeCodings(codings)}: ${why}`, note].filter(Boolean).join('. ');
  return parameters({ name: 'result', valueBoolean: result }, stringOut('message', message), ...matches.map(matchParameter));
}
