/**
 * FHIRPath Patch without HTTP: the 33 official cases on the applier, then the rules the cases do
 * not cover (primitive extensions, choice types, composed values, contained resources, errors).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Parameters, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../../src/fhir/definitions';
import type { FhirError } from '../../../../src/fhir/outcomes';
import { applyFhirPathPatch, parseFhirPathPatch } from '../../../../src/fhir/patch/fhirpath-patch';
import { quoteMemberKeywords } from '../../../../src/fhir/patch/fhirpath-select';

const CASES = fileURLToPath(new URL('../../../../../shared/data/fhir-test-cases/r4/patch/fhir-patch-tests.json', import.meta.url));
const cases = (JSON.parse(readFileSync(CASES, 'utf8')) as { cases: Array<{ name: string; input: Resource; diff: Parameters; output?: Resource; error?: string }> })
  .cases;
const definitions = loadDefinitions();

function failure(run: () => unknown): FhirError {
  try {
    run();
  } catch (err) {
    return err as FhirError;
  }
  throw new Error('expected a failure');
}

type Part = Record<string, unknown>;
const op = (type: string, path: string, more: Part[] = []) => ({
  name: 'operation',
  part: [{ name: 'type', valueCode: type }, { name: 'path', valueString: path }, ...more],
});
const patch = (resource: object, ...operations: unknown[]): Record<string, unknown> =>
  applyFhirPathPatch(
    definitions,
    structuredClone(resource) as Resource,
    parseFhirPathPatch({ resourceType: 'Parameters', parameter: operations } as Parameters),
  ) as unknown as Record<string, unknown>;

const divWhitespace = (resource: Resource) => {
  const text = (resource as { text?: { div: string } }).text;
  return text ? { ...resource, text: { ...text, div: text.div.replace(/>\s+</g, '><').replace(/\s+/g, ' ') } } : resource;
};

describe('applyFhirPathPatch on the official cases', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const operations = parseFhirPathPatch(c.diff);
    const run = () => applyFhirPathPatch(definitions, structuredClone(c.input), operations);
    if (c.error !== undefined) {
      const err = failure(run);
      expect(err.status).toBe(422);
      expect(err.message).toContain(c.error);
    } else {
      // Only "Full Resource" needs it: its div is given with another indentation than the expected one.
      expect(divWhitespace(run())).toEqual(divWhitespace(c.output!));
    }
  });
});

describe('quoteMemberKeywords', () => {
  it('quotes keywords used as member names only', () => {
    expect(quoteMemberKeywords('Patient.text.div')).toBe('Patient.text.`div`');
    expect(quoteMemberKeywords('Patient.text. div.exists()')).toBe('Patient.text. `div`.exists()');
    expect(quoteMemberKeywords('(4 div 2) = 2 and a.or')).toBe('(4 div 2) = 2 and a.`or`');
    expect(quoteMemberKeywords("name.where(text = 'x.div')")).toBe("name.where(text = 'x.div')");
    expect(quoteMemberKeywords('a.`div`.b.divide')).toBe('a.`div`.b.divide');
  });
});

describe('applyFhirPathPatch', () => {
  const patient = { resourceType: 'Patient', birthDate: '1920-01-01', name: [{ given: ['Ada', 'Nneka'] }], deceasedBoolean: false };

  it('adds id and extensions to primitives, in a `_` sibling kept aligned with its array', () => {
    const extension = { name: 'value', part: [{ name: 'url', valueUri: 'http://example.org/x' }, { name: 'valueString', valueString: 'y' }] };
    expect(patch(patient, op('add', 'Patient.birthDate', [{ name: 'name', valueString: 'extension' }, extension]))).toMatchObject({
      birthDate: '1920-01-01',
      _birthDate: { extension: [{ url: 'http://example.org/x', valueString: 'y' }] },
    });
    const withId = patch(patient, op('add', 'Patient.name.given[1]', [{ name: 'name', valueString: 'id' }, { name: 'value', valueString: 'g2' }]));
    expect(withId.name).toEqual([{ given: ['Ada', 'Nneka'], _given: [null, { id: 'g2' }] }]);
    // Deleting the primitive takes its `_` sibling along; deleting the id alone drops the sibling.
    expect(patch(withId, op('delete', 'Patient.name.given[1]')).name).toEqual([{ given: ['Ada'] }]);
    expect(patch(withId, op('delete', 'Patient.name.given[1].id')).name).toEqual([{ given: ['Ada', 'Nneka'] }]);
    expect(patch(withId, op('insert', 'Patient.name.given', [{ name: 'index', valueInteger: 0 }, { name: 'value', valueString: 'Zed' }])).name).toEqual([
      { given: ['Zed', 'Ada', 'Nneka'], _given: [null, null, { id: 'g2' }] },
    ]);
    expect(patch(withId, op('move', 'Patient.name.given', [{ name: 'source', valueInteger: 1 }, { name: 'destination', valueInteger: 0 }])).name).toEqual([
      { given: ['Nneka', 'Ada'], _given: [{ id: 'g2' }, null] },
    ]);
  });

  it('carries a value’s own _value[x] extensions', () => {
    const result = patch(patient, op('replace', 'Patient.birthDate', [{ name: 'value', valueDate: '1921-02-03', _valueDate: { id: 'b' } }]));
    expect(result).toMatchObject({ birthDate: '1921-02-03', _birthDate: { id: 'b' } });
  });

  it('handles choice elements by their FHIRPath name or their JSON name', () => {
    expect(patch(patient, op('replace', 'Patient.deceased', [{ name: 'value', valueDateTime: '2001-01-01' }]))).toMatchObject({ deceasedDateTime: '2001-01-01' });
    expect(patch(patient, op('replace', 'Patient.deceased', [{ name: 'value', valueDateTime: '2001-01-01' }]))).not.toHaveProperty('deceasedBoolean');
    const without = patch(patient, op('delete', 'Patient.deceased'));
    expect(without).not.toHaveProperty('deceasedBoolean');
    expect(patch(without, op('add', 'Patient', [{ name: 'name', valueString: 'deceasedDateTime' }, { name: 'value', valueDateTime: '2001' }]))).toMatchObject({
      deceasedDateTime: '2001',
    });
    // The choice already has a value (as a boolean): add refuses, replace is the way.
    expect(failure(() => patch(patient, op('add', 'Patient', [{ name: 'name', valueString: 'deceased' }, { name: 'value', valueDateTime: '2001' }]))).status).toBe(422);
    expect(failure(() => patch(without, op('add', 'Patient', [{ name: 'name', valueString: 'deceasedDateTime' }, { name: 'value', valueBoolean: true }]))).status).toBe(422);
  });

  it('composes backbone values from parts, nested and repeating, with choice parts', () => {
    const contact = {
      name: 'value',
      part: [
        { name: 'telecom', valueContactPoint: { system: 'phone', value: '1' } },
        { name: 'telecom', valueContactPoint: { system: 'email', value: 'a@b.c' } },
        { name: 'name', valueHumanName: { family: 'Obi' } },
      ],
    };
    expect(patch(patient, op('add', 'Patient', [{ name: 'name', valueString: 'contact' }, contact])).contact).toEqual([
      { telecom: [{ system: 'phone', value: '1' }, { system: 'email', value: 'a@b.c' }], name: { family: 'Obi' } },
    ]);
    const questionnaire = { resourceType: 'Questionnaire', status: 'draft', item: [{ linkId: '1', type: 'group' }] };
    const nested = patch(
      questionnaire,
      op('add', 'Questionnaire.item[0]', [
        { name: 'name', valueString: 'item' },
        { name: 'value', part: [{ name: 'linkId', valueString: '1.1' }, { name: 'type', valueCode: 'boolean' }, { name: 'initial', part: [{ name: 'valueBoolean', valueBoolean: true }] }] },
      ]),
    );
    expect(nested).toMatchObject({ item: [{ linkId: '1', item: [{ linkId: '1.1', type: 'boolean', initial: [{ valueBoolean: true }] }] }] });
    expect(failure(() => patch(patient, op('add', 'Patient', [{ name: 'name', valueString: 'contact' }, { name: 'value', part: [{ name: 'nope', valueString: 'x' }] }]))).status).toBe(422);
  });

  it('adds and patches contained resources', () => {
    const withContained = patch(patient, op('add', 'Patient', [{ name: 'name', valueString: 'contained' }, { name: 'value', resource: { resourceType: 'Organization', id: 'o1', name: 'A' } }]));
    expect(withContained.contained).toEqual([{ resourceType: 'Organization', id: 'o1', name: 'A' }]);
    expect(patch(withContained, op('replace', 'Patient.contained[0].name', [{ name: 'value', valueString: 'B' }])).contained).toEqual([
      { resourceType: 'Organization', id: 'o1', name: 'B' },
    ]);
  });

  it('accepts a value of a base or specialised type (string for code, uri for url, Quantity for Age)', () => {
    expect(patch(patient, op('add', 'Patient', [{ name: 'name', valueString: 'gender' }, { name: 'value', valueString: 'female' }]))).toMatchObject({ gender: 'female' });
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
    expect(patch(observation, op('add', 'Observation', [{ name: 'name', valueString: 'value' }, { name: 'value', valueAge: { value: 3, unit: 'a' } }]))).toMatchObject({
      valueQuantity: { value: 3, unit: 'a' },
    });
  });

  it('tells document errors (400) from errors of application (422)', () => {
    const document = (parameters: object) => failure(() => parseFhirPathPatch(parameters as Parameters)).status;
    expect(document({ resourceType: 'Parameters', parameter: [op('add', 'Patient')] })).toBe(400);
    expect(document({ resourceType: 'Parameters', parameter: [op('delete', 'Patient.name[')] })).toBe(400);
    expect(document({ resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'copy' }] }] })).toBe(400);
    expect(document({ resourceType: 'Parameters', parameter: [op('replace', 'Patient.active', [{ name: 'value', part: [] }])] })).toBe(400);
    const applying = (...operations: unknown[]) => failure(() => patch(patient, ...operations)).status;
    expect(applying(op('replace', 'Patient.name.given', [{ name: 'value', valueString: 'x' }]))).toBe(422);
    expect(applying(op('delete', 'Patient.name.given'))).toBe(422);
    expect(applying(op('replace', 'Patient.gender', [{ name: 'value', valueCode: 'male' }]))).toBe(422);
    expect(applying(op('insert', 'Patient.birthDate', [{ name: 'index', valueInteger: 0 }, { name: 'value', valueDate: '2000' }]))).toBe(422);
    expect(applying(op('delete', 'Patient.name.given.first() + \'x\''))).toBe(422);
    expect(applying(op('delete', 'Patient.name.foo()'))).toBe(422);
    expect(applying(op('delete', 'Patient'))).toBe(422);
    // delete of nothing is fine.
    expect(patch(patient, op('delete', 'Patient.gender'))).toEqual(patient);
  });
});
