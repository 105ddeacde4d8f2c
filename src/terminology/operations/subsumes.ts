/**
 * CodeSystem/$subsumes (codesystem-operation-subsumes): how code A relates to code B in the
 * CodeSystem's hierarchy. Codes or systems we cannot find are 400s: without them there is no
 * answer among the four outcomes.
 */
import type { CodeSystem, Parameters } from '@medplum/fhirtypes';
import type { OperationInvocation } from '../../fhir/operations/registry';
import { errors } from '../../fhir/outcomes';
import { CodeSystemIndex } from '../code-system-index';
import { clip } from './code-check';
import { codingsFrom, parameters, stringParam } from './inputs';

async function codeSystem(invocation: OperationInvocation, system: string | undefined, version: string | undefined): Promise<CodeSystemIndex> {
  if (invocation.level === 'instance') {
    const stored = (await invocation.ctx.service.read('CodeSystem', invocation.id!)).resource as CodeSystem;
    if (system !== undefined && system !== stored.url) throw errors.invalid(`The system '${clip(system)}' is not the CodeSystem ${invocation.id}`, 'system');
    return new CodeSystemIndex(stored);
  }
  if (system === undefined) throw errors.invalid('$subsumes needs the system (or a CodeSystem instance)', 'system');
  const cs = await invocation.ctx.terminology.resolver.codeSystem(system, version);
  if (!cs) throw errors.invalid(`CodeSystem '${clip(system)}'${version ? ` version '${clip(version)}'` : ''} is not known to this server`, 'system');
  return cs;
}

export async function subsumesOperation(invocation: OperationInvocation): Promise<Parameters> {
  const [a] = codingsFrom(invocation, { code: 'codeA', coding: 'codingA' });
  const [b] = codingsFrom(invocation, { code: 'codeB', coding: 'codingB' });
  const given = stringParam(invocation, 'system');
  const systems = new Set([given, a!.system, b!.system].filter((s): s is string => s !== undefined));
  if (systems.size > 1) throw errors.invalid('Codes A and B must be from the same system: subsumption is tested within one code system');
  const system = [...systems][0];
  const cs = await codeSystem(invocation, system, stringParam(invocation, 'version') ?? a!.version ?? b!.version);
  const conceptA = cs.get(a!.code!);
  const conceptB = cs.get(b!.code!);
  for (const [label, code, concept] of [['A', a!.code!, conceptA], ['B', b!.code!, conceptB]] as const) {
    if (!concept) throw errors.invalid(`Code ${label} '${clip(code)}' is not in the CodeSystem '${clip(cs.url)}'`, `code${label}`);
  }
  const [codeA, codeB] = [conceptA!.code, conceptB!.code];
  const outcome = codeA === codeB ? 'equivalent' : cs.subsumes(codeA, codeB) ? 'subsumes' : cs.subsumes(codeB, codeA) ? 'subsumed-by' : 'not-subsumed';
  return parameters({ name: 'outcome', valueCode: outcome });
}
