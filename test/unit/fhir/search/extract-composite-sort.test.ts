import { describe, expect, it } from 'vitest';
import { entries, extract } from './helpers';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

const bloodPressure = {
  resourceType: 'Observation',
  id: 'bp',
  status: 'final',
  code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure' }] },
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2020-06-01T10:00:00Z',
  component: [
    { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: 120, system: UCUM, code: 'mm[Hg]' } },
    { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: 80, system: UCUM, code: 'mm[Hg]' } },
  ],
};

const weight = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: LOINC, code: '29463-7' }, { system: 'http://snomed.info/sct', code: '27113001' }], text: 'Weight' },
  valueQuantity: { value: 72.5, system: UCUM, code: 'kg' },
};

describe('composite parameters', () => {
  it('code-value-quantity: one entry per coding of the code with the value', () => {
    const comp = extract(weight).comp?.filter((c) => c.p === 'code-value-quantity').map((c) => c.c);
    const value = { v: 72.5, s: UCUM, c: 'kg', cv: 72500, cc: 'g' };
    expect(comp).toEqual([
      [{ s: LOINC, c: '29463-7' }, value],
      [{ s: 'http://snomed.info/sct', c: '27113001' }, value],
    ]);
  });

  it('component-code-value-quantity: pairs each component code with its own value only', () => {
    const comp = extract(bloodPressure).comp?.filter((c) => c.p === 'component-code-value-quantity').map((c) => [c.c[0]?.c, c.c[1]?.v]);
    expect(comp).toEqual([['8480-6', 120], ['8462-4', 80]]);
    // The Observation itself has no value: no code-value-quantity entry.
    expect(extract(bloodPressure).comp?.some((c) => c.p === 'code-value-quantity')).toBe(false);
    // combo-: the Observation and each component.
    const combo = extract(bloodPressure).comp?.filter((c) => c.p === 'combo-code-value-quantity').map((c) => c.c[0]?.c);
    expect(combo).toEqual(['8480-6', '8462-4']);
  });

  it('code-value-date reads dateTime values (the DateTime erratum) and Periods', () => {
    const observation = { ...weight, valueQuantity: undefined, valueDateTime: '2021-02-03' };
    const [entry] = extract(observation).comp?.filter((c) => c.p === 'code-value-date') ?? [];
    expect(entry?.c).toEqual([{ s: LOINC, c: '29463-7' }, { lo: new Date('2021-02-03T00:00:00Z'), hi: new Date('2021-02-04T00:00:00Z') }]);
  });

  it('context-type-value pairs useContext code with its CodeableConcept value', () => {
    const valueSet = {
      resourceType: 'ValueSet', status: 'active',
      useContext: [{ code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'focus' }, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '123' }] } }],
    };
    const [entry] = extract(valueSet).comp?.filter((c) => c.p === 'context-type-value') ?? [];
    expect(entry?.c).toEqual([{ s: 'http://terminology.hl7.org/CodeSystem/usage-context-type', c: 'focus' }, { s: 'http://snomed.info/sct', c: '123' }]);
  });
});

describe('sort keys', () => {
  it('keeps the smallest value for asc and the largest for desc', () => {
    const patient = { resourceType: 'Patient', name: [{ family: 'Ng', given: ['Zed', 'Amy'] }], birthDate: '1990-05' };
    const { sort } = extract(patient);
    expect(sort?.asc.given).toBe('amy');
    expect(sort?.desc.given).toBe('zed');
    expect(sort?.asc.birthdate).toEqual(new Date('1990-05-01T00:00:00Z'));
    expect(sort?.desc.birthdate).toEqual(new Date('1990-06-01T00:00:00Z'));
    expect(sort?.asc.family).toBe('ng');
    expect(sort?.asc.address).toBeUndefined(); // no value, no key
  });

  it('sorts quantities by canonical value, tokens by code, references by Type/id', () => {
    const { sort } = extract(bloodPressure);
    expect(sort?.asc['component-value-quantity']).toBe(10665760); // 80 mm[Hg] in g.m-1.s-2
    expect(sort?.desc['component-value-quantity']).toBe(15998640);
    expect(sort?.asc['component-code']).toBe('8462-4');
    expect(sort?.asc.patient).toBe('Patient/p1');
    expect(sort?.asc.date).toEqual(new Date('2020-06-01T10:00:00Z'));
    expect(Object.keys(sort?.asc ?? {}).some((k) => k.includes(':'))).toBe(false);
  });
});

describe('_lastUpdated', () => {
  it('is not extracted: the store searches and sorts on its own version time', () => {
    const withMeta = extract({ resourceType: 'Patient', meta: { lastUpdated: '2024-01-02T03:04:05.678Z' } });
    expect(entries(withMeta, 'date', '_lastUpdated')).toEqual([]);
    expect(withMeta.sort?.asc._lastUpdated).toBeUndefined();
  });
});
