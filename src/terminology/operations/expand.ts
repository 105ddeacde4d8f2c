/**
 * ValueSet/$expand (valueset-operation-expand): the ValueSet with an `expansion` listing its
 * codes, flat, in compose order, with a text `filter` and `offset`/`count` paging. Whole code
 * systems are enumerated, which needs them loaded in full (else 400, as the spec asks a server
 * that cannot expand correctly to fail rather than return a partial list).
 */
import { randomUUID } from 'node:crypto';
import type { ValueSet, ValueSetExpansionContains, ValueSetExpansionParameter } from '@medplum/fhirtypes';
import type { OperationInvocation } from '../../fhir/operations/registry';
import { errors } from '../../fhir/outcomes';
import type { ExpansionConcept } from '../expand';
import { splitCanonical } from '../terminology-resolver';
import { clip } from './code-check';
import { param, stringParam, subject } from './inputs';

/** Inputs that would change the answer and that this server does not implement. */
const UNSUPPORTED = ['context', 'contextDirection', 'system-version', 'check-system-version', 'force-system-version'];

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

function nonNegative(invocation: OperationInvocation, name: string): number | undefined {
  const value = param<number>(invocation, name);
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw errors.invalid(`Parameter '${name}' must be 0 or more`, name);
  return value;
}

/** Every word of the filter must occur in the code or the display, case and accents aside. */
function textFilter(filter: string): (c: ExpansionConcept) => boolean {
  const words = fold(filter).split(/\s+/).filter(Boolean);
  return (c) => {
    const text = `${fold(c.code)} ${fold(c.display ?? '')}`;
    return words.every((word) => text.includes(word));
  };
}

function excludedSystems(invocation: OperationInvocation): (c: ExpansionConcept) => boolean {
  const excluded = ((invocation.params.get('exclude-system') ?? []) as string[]).map(splitCanonical);
  return (c) => !excluded.some((e) => e.url === c.system && (e.version === undefined || e.version === c.version));
}

function contains(c: ExpansionConcept): ValueSetExpansionContains {
  return {
    system: c.system,
    ...(c.version === undefined ? {} : { version: c.version }),
    code: c.code,
    ...(c.display === undefined ? {} : { display: c.display }),
    ...(c.abstract ? { abstract: true } : {}),
    ...(c.inactive ? { inactive: true } : {}),
  };
}

/** The inputs that shaped the expansion, echoed in `expansion.parameter`. */
function echoed(invocation: OperationInvocation): ValueSetExpansionParameter[] {
  const echo: ValueSetExpansionParameter[] = [];
  for (const [name, values] of invocation.params) {
    for (const value of values) {
      if (name === 'filter' || name === 'valueSetVersion') echo.push({ name, valueString: value as string });
      else if (name === 'count' || name === 'offset') echo.push({ name, valueInteger: value as number });
      else if (name === 'activeOnly' || name === 'excludeNested' || name === 'includeDefinition') echo.push({ name, valueBoolean: value as boolean });
      else if (name === 'exclude-system') echo.push({ name, valueUri: value as string });
    }
  }
  return echo;
}

export async function expandOperation(invocation: OperationInvocation): Promise<ValueSet> {
  for (const name of UNSUPPORTED) if (invocation.params.has(name)) throw errors.notSupported(`$expand parameter '${name}' is not supported`, 400);
  const { resolver, expander } = invocation.ctx.terminology;
  const version = stringParam(invocation, 'valueSetVersion');
  const vs = await subject<ValueSet>(invocation, 'ValueSet', 'valueSet', (url) => resolver.valueSet(url, version));
  if (!vs) throw errors.invalid("$expand needs the ValueSet: 'url', 'valueSet', or a ValueSet instance");
  if (version !== undefined && vs.version !== version) throw errors.invalid(`The ValueSet has version '${clip(vs.version ?? '')}', not '${clip(version)}'`, 'valueSetVersion');
  const offset = nonNegative(invocation, 'offset') ?? 0;
  const count = nonNegative(invocation, 'count');
  const filter = param<string>(invocation, 'filter');
  // compose.inactive = false keeps inactive codes out whatever the client asks.
  const activeOnly = param<boolean>(invocation, 'activeOnly') === true || vs.compose?.inactive === false;

  const set = await expander.expand(vs, vs.url ? [vs.url] : []);
  let concepts = (await expander.enumerate(set)).filter(excludedSystems(invocation));
  if (activeOnly) concepts = concepts.filter((c) => !c.inactive);
  if (filter?.trim()) concepts = concepts.filter(textFilter(filter));
  const page = concepts.slice(offset, count === undefined ? undefined : offset + count);
  const parameter = echoed(invocation);

  // The definition (compose) only when asked for (includeDefinition); never the stored meta or text.
  const { meta: _meta, text: _text, compose, expansion: _old, ...header } = vs;
  return {
    ...header,
    resourceType: 'ValueSet',
    status: vs.status ?? 'unknown',
    ...(param<boolean>(invocation, 'includeDefinition') === true && compose ? { compose } : {}),
    expansion: {
      identifier: `urn:uuid:${randomUUID()}`,
      timestamp: new Date().toISOString(),
      total: concepts.length,
      offset,
      ...(parameter.length > 0 ? { parameter } : {}),
      ...(page.length > 0 ? { contains: page.map(contains) } : {}),
    },
  };
}
