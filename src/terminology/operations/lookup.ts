/**
 * CodeSystem/$lookup (codesystem-operation-lookup): name, version and display of a code, its
 * designations, and its properties, including `definition` and the hierarchy as `parent` and
 * `child` (R4 lists definition among the properties; it is a top-level output only from R5).
 *
 * An unknown system or code is a 404 OperationOutcome. The spec does not say; HAPI FHIR answers
 * "Unable to find code … in system …" with 404 (ResourceNotFoundException), and so do we.
 */
import type { CodeSystemConceptProperty, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { OperationInvocation } from '../../fhir/operations/registry';
import { errors } from '../../fhir/outcomes';
import type { CodeSystemIndex, IndexedConcept } from '../code-system-index';
import { clip } from './code-check';
import { codingsFrom, parameters, stringOut } from './inputs';
import { checkUcum, UCUM_SYSTEM } from './ucum';

const HIERARCHY = new Set(['parent', 'child']);

function property(code: string, value: Record<string, unknown>, description?: string): ParametersParameter {
  const part = [{ name: 'code', valueCode: code }, { name: 'value', ...value }, ...(description ? [{ name: 'description', valueString: description }] : [])];
  return { name: 'property', part } as ParametersParameter;
}

/** The `value[x]` of a concept property, as it is written. */
function valueOf(p: CodeSystemConceptProperty): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).filter(([key]) => key.startsWith('value')));
}

function designations(concept: IndexedConcept): ParametersParameter[] {
  return (concept.designation ?? []).flatMap((d) => {
    if (d.value === undefined) return [];
    const part: ParametersParameter[] = [];
    if (d.language) part.push({ name: 'language', valueCode: d.language });
    if (d.use) part.push({ name: 'use', valueCoding: d.use });
    part.push({ name: 'value', valueString: d.value });
    return [{ name: 'designation', part }];
  });
}

function describe(cs: CodeSystemIndex, concept: IndexedConcept, wanted: ReadonlySet<string>): Parameters {
  const want = (name: string) => wanted.size === 0 || wanted.has(name);
  const related = (name: 'parent' | 'child', codes: string[]) => (want(name) ? codes.map((code) => property(name, { valueCode: code }, cs.get(code)?.display)) : []);
  return parameters(
    { name: 'name', valueString: cs.name ?? cs.url },
    stringOut('version', cs.version),
    // R4 makes display 1..1; a concept without one is shown by its code.
    { name: 'display', valueString: concept.display ?? concept.code },
    ...(want('designation') ? designations(concept) : []),
    want('definition') && concept.definition !== undefined && property('definition', { valueString: concept.definition }),
    ...concept.property.filter((p) => !HIERARCHY.has(p.code) && want(p.code)).map((p) => property(p.code, valueOf(p))),
    ...related('parent', concept.parents),
    ...related('child', concept.children),
  );
}

export async function lookupOperation(invocation: OperationInvocation): Promise<Parameters> {
  const [coding] = codingsFrom(invocation, { code: 'code', system: 'system', version: 'version', coding: 'coding' });
  const { code, system, version } = coding!;
  if (!system) throw errors.invalid('$lookup needs the system of the code', 'system');
  const wanted = new Set((invocation.params.get('property') ?? []) as string[]);
  if (system === UCUM_SYSTEM) {
    const ucum = checkUcum(code!);
    if (!ucum.valid) throw errors.notFound(ucum.message);
    return parameters({ name: 'name', valueString: 'UCUM' }, { name: 'display', valueString: ucum.name });
  }
  const cs = await invocation.ctx.terminology.resolver.codeSystem(system, version);
  if (!cs) throw errors.notFound(`CodeSystem '${clip(system)}'${version ? ` version '${clip(version)}'` : ''} is not known to this server`);
  const concept = cs.get(code!);
  if (!concept) throw errors.notFound(`Unable to find code '${clip(code!)}' in the CodeSystem '${clip(system)}'`);
  return describe(cs, concept, wanted);
}
