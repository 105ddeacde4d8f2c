/**
 * `:in` / `:not-in` (search.html#modifiers): the codes of a ValueSet stored on this server,
 * found by canonical URL. Uses the ValueSet's `expansion` when it has one, else its `compose`:
 * listed concepts, whole code systems (any code of that system), and included ValueSets.
 * Filters (`is-a`…) and exclusions from whole systems need the terminology service (issue 6):
 * they are refused with 400 rather than answered wrongly.
 */
import type { Resource, ValueSet, ValueSetComposeInclude, ValueSetExpansionContains } from '@medplum/fhirtypes';
import type { Criterion, TokenValue } from '../../store/search-criteria';
import { errors } from '../outcomes';
import { MAX_OR_VALUES } from './parse-value';

export interface ValueSetSource {
  readCurrent(type: string, criteria: Criterion[], limit: number): Promise<Resource[]>;
}

const MAX_DEPTH = 4;

async function find(source: ValueSetSource, url: string): Promise<ValueSet> {
  const [canonical, version] = url.split('|') as [string, string | undefined];
  const found = (await source.readCurrent('ValueSet', [{ index: 'uri', p: 'url', match: 'eq', values: [canonical] }], 50)) as ValueSet[];
  const match = found.find((vs) => version === undefined || vs.version === version);
  if (!match) throw errors.invalid(`ValueSet '${url.slice(0, 100)}' is not stored on this server`);
  return match;
}

function fromExpansion(contains: readonly ValueSetExpansionContains[] | undefined, out: TokenValue[]): void {
  for (const item of contains ?? []) {
    if (item.code && !item.abstract) out.push({ s: item.system ?? null, c: item.code });
    fromExpansion(item.contains, out);
  }
}

function unsupported(url: string, what: string): never {
  throw errors.notSupported(`ValueSet '${url.slice(0, 100)}' uses ${what}, which needs the terminology service; not supported yet`, 400);
}

async function fromInclude(source: ValueSetSource, url: string, include: ValueSetComposeInclude, depth: number, out: TokenValue[]): Promise<void> {
  if (include.filter?.length) unsupported(url, 'filters');
  const fromSystem: TokenValue[] = [];
  if (include.concept?.length) for (const concept of include.concept) fromSystem.push({ s: include.system ?? null, c: concept.code });
  else if (include.system) fromSystem.push({ s: include.system });
  if (!include.valueSet?.length) {
    out.push(...fromSystem);
    return;
  }
  if (include.system) unsupported(url, 'a code system intersected with value sets');
  for (const nested of include.valueSet) out.push(...(await expand(source, nested, depth + 1)));
}

async function expand(source: ValueSetSource, url: string, depth: number): Promise<TokenValue[]> {
  if (depth > MAX_DEPTH) throw errors.invalid(`ValueSet '${url.slice(0, 100)}' includes value sets too deeply`);
  const vs = await find(source, url);
  const out: TokenValue[] = [];
  if (vs.expansion?.contains) {
    fromExpansion(vs.expansion.contains, out);
    return out;
  }
  for (const include of vs.compose?.include ?? []) await fromInclude(source, url, include, depth, out);
  for (const exclude of vs.compose?.exclude ?? []) {
    if (!exclude.concept?.length || exclude.filter?.length || exclude.valueSet?.length) unsupported(url, 'exclusions other than listed concepts');
    const gone = new Set(exclude.concept.map((c) => `${exclude.system ?? ''}|${c.code}`));
    for (let i = out.length - 1; i >= 0; i--) if (gone.has(`${out[i]!.s ?? ''}|${out[i]!.c}`)) out.splice(i, 1);
  }
  return out;
}

/** The token values a ValueSet stands for, for `:in` (at most MAX_OR_VALUES). */
export async function valueSetTokens(source: ValueSetSource, url: string): Promise<TokenValue[]> {
  const tokens = await expand(source, url, 0);
  if (tokens.length > MAX_OR_VALUES) {
    throw errors.invalid(`ValueSet '${url.slice(0, 100)}' has more than ${MAX_OR_VALUES} codes; too many to search on`);
  }
  return tokens;
}
