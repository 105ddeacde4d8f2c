import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../../src/fhir/definitions';
import { ExpressionCompiler } from '../../../../src/fhir/search/extract/compile-expression';
import { withoutResolve } from '../../../../src/fhir/search/extract/fhirpath-fallback';
import { parseFhirPathSubset, UnsupportedExpression } from '../../../../src/fhir/search/extract/fhirpath-subset';

const compiler = new ExpressionCompiler(loadDefinitions());

function run(expression: string, resource: Record<string, unknown> & { resourceType: string }, context = resource.resourceType) {
  const compiled = compiler.compile(expression, context, resource.resourceType);
  const sink = { values: [] as unknown[], types: [] as string[] };
  compiled.evaluate(resource, resource, sink);
  return { fast: compiled.fast, values: sink.values, types: sink.types };
}

const observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
  subject: { reference: 'Patient/p1' },
  performer: [{ reference: 'Practitioner/d1' }, { reference: 'https://other.example/fhir/Patient/p2/_history/3' }, { reference: 'urn:uuid:1', type: 'Patient' }, { reference: '#c1' }],
  effectivePeriod: { start: '2020-01-01' },
  valueQuantity: { value: 5.4, system: 'http://unitsofmeasure.org', code: 'mg' },
  component: [
    { code: { text: 'a' }, valueQuantity: { value: 1 } },
    { code: { text: 'b' }, valueString: 'x' },
  ],
  extension: [{ url: 'https://x/a', valueString: 'A' }, { url: 'https://x/b', valueBoolean: true }],
};

describe('the fast FHIRPath compiler', () => {
  it('reads plain paths, flattening arrays', () => {
    const r = run('Observation.code.coding.code', observation);
    expect(r).toEqual({ fast: true, values: ['85354-9'], types: ['code'] });
  });

  it('resolves choice elements to their typed JSON properties', () => {
    expect(run('Observation.effective', observation)).toMatchObject({ fast: true, values: [{ start: '2020-01-01' }], types: ['Period'] });
    expect(run('Observation.value as Quantity', observation).values).toEqual([observation.valueQuantity]);
    expect(run('(Observation.value as CodeableConcept).text', observation).values).toEqual([]);
    expect(run('Observation.component.value.ofType(Quantity)', observation).values).toEqual([{ value: 1 }]);
    expect(run('Observation.component.value.as(string)', observation)).toMatchObject({ fast: true, values: ['x'], types: ['string'] });
  });

  it('filters with where(), extension() and resolve() is T', () => {
    expect(run("Observation.component.where(code.text = 'b').value", observation).values).toEqual(['x']);
    expect(run("Observation.extension('https://x/b').value", observation)).toMatchObject({ fast: true, values: [true], types: ['boolean'] });
    expect(run("Observation.extension.where(url = 'https://x/a').value", observation).values).toEqual(['A']);
    const patients = run('Observation.performer.where(resolve() is Patient)', observation);
    expect(patients.fast).toBe(true);
    expect(patients.values).toEqual([observation.performer[1], observation.performer[2]]);
  });

  it('handles unions, first(), indexers and %resource', () => {
    expect(run('Observation.subject | Observation.performer.first()', observation).values).toEqual([observation.subject, observation.performer[0]]);
    expect(run('Observation.performer[1].reference', observation).values).toEqual(['https://other.example/fhir/Patient/p2/_history/3']);
    const component = observation.component[0]!;
    const sink = { values: [] as unknown[], types: [] as string[] };
    compiler.compile('%resource.status | code.text', 'Observation.component', 'Observation').evaluate(component, observation, sink);
    expect(sink.values).toEqual(['final', 'a']);
  });

  it('types backbone elements by their path and inline resources by their resourceType', () => {
    expect(run('Observation.component', observation).types).toEqual(['Observation.component', 'Observation.component']);
    const bundle = { resourceType: 'Bundle', type: 'document', entry: [{ resource: { resourceType: 'Composition', id: 'c' } }] };
    expect(run('Bundle.entry[0].resource', bundle)).toMatchObject({ fast: true, types: ['Composition'] });
  });

  it('falls back to fhirpath.js outside its subset, with the same results', () => {
    const patient = { resourceType: 'Patient', deceasedDateTime: '2020-01-01' };
    const r = run('Patient.deceased.exists() and Patient.deceased != false', patient);
    expect(r).toEqual({ fast: false, values: [true], types: ['boolean'] });
    expect(run("Observation.code.coding.where(code.startsWith('853')).system", observation)).toMatchObject({ fast: false, values: ['http://loinc.org'] });
  });

  it('declines what it cannot mirror exactly', () => {
    const unsupported = (e: string) => expect(() => parseFhirPathSubset(e), e).toThrow(UnsupportedExpression);
    unsupported('Patient.name.exists()');
    unsupported('Patient.birthDate > @2020');
    unsupported('%context.name');
    for (const e of ['Observation.value.first()', 'Observation.value.ofType(DateTime)', "Observation.where(status = 'final' or status = 'amended')"]) {
      expect(compiler.compile(e, 'Observation', 'Observation').fast, e).toBe(false);
    }
  });

  it('agrees with fhirpath.js on these forms (resolve() as the documented type test)', () => {
    for (const e of [
      'Observation.effective', 'Observation.component.value.ofType(Quantity)', "Observation.component.where(code.text = 'b').value",
      "Observation.extension('https://x/b').value", 'Observation.performer.where(resolve() is Patient)', 'Observation.performer[1]',
    ]) {
      const expected = fhirpath.evaluate(observation, withoutResolve(e), undefined, r4);
      expect(run(e, observation).values, e).toEqual(expected);
    }
  });
});
