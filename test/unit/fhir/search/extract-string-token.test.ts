import { describe, expect, it } from 'vitest';
import { normaliseText } from '../../../../src/fhir/search/extract';
import { entries, extract } from './helpers';

describe('string parameters', () => {
  it('lower-cases, folds accents and collapses whitespace; x keeps the original', () => {
    expect(normaliseText('Zoë')).toBe('zoe');
    expect(normaliseText('  JOSÉ   María\tÅngström ')).toBe('jose maria angstrom');
    expect(normaliseText('Ærøskøbing')).toBe('ærøskøbing'); // no decomposition: kept
    const index = extract({ resourceType: 'Patient', name: [{ family: 'Zoë' }] });
    expect(entries(index, 'str', 'family')).toEqual([{ n: 'zoe', x: 'Zoë' }]);
  });

  it('gives one entry per HumanName part for name and its parts for family/given', () => {
    const patient = {
      resourceType: 'Patient',
      name: [{ text: 'Dr. Ada  Lovelace', family: 'Lovelace', given: ['Ada', 'Augusta'], prefix: ['Dr.'], suffix: ['PhD'] }],
    };
    const index = extract(patient);
    expect(entries(index, 'str', 'name').map((e) => e.n)).toEqual(['lovelace', 'ada', 'augusta', 'dr. ada lovelace', 'dr.', 'phd']);
    expect(entries(index, 'str', 'given')).toEqual([{ n: 'ada', x: 'Ada' }, { n: 'augusta', x: 'Augusta' }]);
    expect(entries(index, 'str', 'family')).toEqual([{ n: 'lovelace', x: 'Lovelace' }]);
  });

  it('gives one entry per Address part', () => {
    const patient = {
      resourceType: 'Patient',
      address: [{ line: ['1 Main St', 'Apt 2'], city: 'Cape Town', district: 'CT', state: 'WC', postalCode: '8001', country: 'ZA', text: 'somewhere' }],
    };
    const index = extract(patient);
    expect(entries(index, 'str', 'address').map((e) => e.n)).toEqual(['1 main st', 'apt 2', 'cape town', 'ct', 'wc', '8001', 'za', 'somewhere']);
    expect(entries(index, 'str', 'address-city')).toEqual([{ n: 'cape town', x: 'Cape Town' }]);
    expect(entries(index, 'str', 'address-postalcode')).toEqual([{ n: '8001', x: '8001' }]);
  });

  it('skips empty and whitespace-only strings', () => {
    expect(entries(extract({ resourceType: 'Patient', name: [{ family: '  ', given: [''] }] }), 'str', 'name')).toEqual([]);
  });
});

describe('token parameters', () => {
  it('indexes CodeableConcept codings with display, and its text as a text-only entry', () => {
    const condition = {
      resourceType: 'Condition',
      subject: { reference: 'Patient/1' },
      code: {
        coding: [{ system: 'http://snomed.info/sct', code: '44054006', display: 'Diabetes Mellitus' }, { system: 'http://hl7.org/fhir/sid/icd-10', code: 'E11' }],
        text: 'Type 2 diabétes',
      },
    };
    expect(entries(extract(condition), 'tok', 'code')).toEqual([
      { s: 'http://snomed.info/sct', c: '44054006', t: 'diabetes mellitus' },
      { s: 'http://hl7.org/fhir/sid/icd-10', c: 'E11' },
      { t: 'type 2 diabetes' },
    ]);
  });

  it('indexes Identifier system|value with type text, plus :of-type entries', () => {
    const patient = {
      resourceType: 'Patient',
      identifier: [
        { system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }], text: 'Medical Record' } },
        { value: 'no-system' },
      ],
    };
    const index = extract(patient);
    expect(entries(index, 'tok', 'identifier')).toEqual([
      { s: 'urn:oid:1.2.36.146.595.217.0.1', c: '12345', t: 'medical record' },
      { c: 'no-system' },
    ]);
    expect(entries(index, 'tok', 'identifier:of-type')).toEqual([{ s: 'http://terminology.hl7.org/CodeSystem/v2-0203', c: 'MR|12345' }]);
  });

  it('indexes booleans, codes and ids as bare codes, ContactPoint by value', () => {
    const patient = {
      resourceType: 'Patient',
      id: 'p1',
      active: false,
      gender: 'female',
      telecom: [{ system: 'phone', value: '+27 21 555 0100' }, { system: 'email', value: 'a@b.example' }],
    };
    const index = extract(patient);
    expect(entries(index, 'tok', 'active')).toEqual([{ c: 'false' }]);
    expect(entries(index, 'tok', 'gender')).toEqual([{ c: 'female' }]);
    // The store searches and sorts on its own `_id`: no index entry for it.
    expect(entries(index, 'tok', '_id')).toEqual([]);
    expect(entries(index, 'tok', 'telecom')).toEqual([{ c: '+27 21 555 0100' }, { c: 'a@b.example' }]);
    expect(entries(index, 'tok', 'phone')).toEqual([{ c: '+27 21 555 0100' }]);
    expect(entries(index, 'tok', 'email')).toEqual([{ c: 'a@b.example' }]);
    expect(entries(index, 'tok', 'deceased')).toEqual([{ c: 'false' }]);
  });

  it('indexes Coding (meta.tag, meta.security) with display for :text', () => {
    const resource = {
      resourceType: 'Basic',
      code: { text: 'x' },
      meta: { tag: [{ system: 'https://tags', code: 'a', display: 'Tag A' }], security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] },
    };
    const index = extract(resource);
    expect(entries(index, 'tok', '_tag')).toEqual([{ s: 'https://tags', c: 'a', t: 'tag a' }]);
    expect(entries(index, 'tok', '_security')).toEqual([{ s: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', c: 'R' }]);
  });
});
