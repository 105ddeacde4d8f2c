/**
 * profiles/StructureDefinition-baobab-patient.json: its snapshot is generated from R4 Patient, and
 * each of its rules passes a valid patient and fails one that breaks it (evaluated with
 * fhirpath.js, as profile validation does).
 */
import type { ElementDefinition, Patient, StructureDefinition } from '@medplum/fhirtypes';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/fhir/definitions';
import { withSnapshot } from '../../../src/fhir/definitions/snapshot';

const definitions = loadDefinitions();
const profile = definitions.profiles.structureDefinitions.find((sd) => sd.id === 'baobab-patient')!;
const rules = profile.snapshot!.element[0]!.constraint!.filter((c) => c.key.startsWith('bao-pat-'));

const MR = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] };
const valid: Patient = {
  resourceType: 'Patient',
  identifier: [{ type: MR, system: 'urn:clinic:mrn', value: 'MRN-1' }],
  birthDate: '1980-04-02',
  telecom: [{ system: 'email', value: 'ada@example.org' }, { system: 'phone', value: '+2348031234567' }],
  address: [{ country: 'US', state: 'CA', postalCode: '94105-1234' }, { country: 'NG', state: 'Lagos' }],
};
const year = new Date().getUTCFullYear();

function holds(key: string, patient: Patient): boolean {
  const rule = rules.find((c) => c.key === key)!;
  const result = fhirpath.evaluate(patient, rule.expression!, undefined, r4) as unknown[];
  return result.length === 1 && result[0] === true;
}

describe('the Baobab Patient profile', () => {
  it('has a snapshot from R4 Patient with its tighter identifier and its rules', () => {
    const identifier = profile.snapshot!.element.find((e) => e.id === 'Patient.identifier')!;
    expect(identifier.min).toBe(1);
    expect(profile.snapshot!.element.length).toBe(definitions.getStructureDefinition('Patient')!.snapshot!.element.length);
    expect(rules.map((c) => c.key)).toEqual(['bao-pat-1', 'bao-pat-2', 'bao-pat-3', 'bao-pat-4', 'bao-pat-5', 'bao-pat-6']);
  });

  it('a patient that follows every rule passes them all', () => {
    for (const rule of rules) expect(holds(rule.key, valid), rule.key).toBe(true);
  });

  const broken: Array<[string, Partial<Patient>]> = [
    ['bao-pat-1', { identifier: [{ system: 'urn:ng:nin', value: '12345678901' }] }],
    ['bao-pat-2', { birthDate: `${year + 1}-01-01` }],
    ['bao-pat-2', { birthDate: `${year + 1}` }],
    ['bao-pat-3', { birthDate: `${year - 151}-06-01` }],
    ['bao-pat-4', { telecom: [{ system: 'email', value: 'Ada@Example.org' }] }],
    ['bao-pat-5', { telecom: [{ system: 'phone', value: '0803 123 4567' }] }],
    ['bao-pat-5', { telecom: [{ system: 'phone', value: '+0123456789' }] }],
    ['bao-pat-6', { address: [{ country: 'US', state: 'California', postalCode: '94105' }] }],
    ['bao-pat-6', { address: [{ country: 'US', state: 'CA', postalCode: '9410' }] }],
  ];
  for (const [key, change] of broken) {
    it(`${key} fails ${JSON.stringify(change)}`, () => {
      expect(holds(key, { ...valid, ...change })).toBe(false);
    });
  }

  it('edge cases that pass: a partial birth date this year, exactly 150 years, no telecom, a non-US address', () => {
    expect(holds('bao-pat-2', { ...valid, birthDate: String(year) })).toBe(true);
    expect(holds('bao-pat-3', { ...valid, birthDate: `${year - 150}-12-31` })).toBe(true);
    expect(holds('bao-pat-4', { ...valid, telecom: undefined })).toBe(true);
    expect(holds('bao-pat-6', { ...valid, address: [{ country: 'ZA', postalCode: 'abc' }] })).toBe(true);
  });
});

describe('snapshot generation', () => {
  const base = definitions.getStructureDefinition('Patient')!;
  const profileWith = (element: ElementDefinition[]): StructureDefinition => ({
    resourceType: 'StructureDefinition', url: 'urn:test:p', name: 'P', status: 'draft', kind: 'resource', abstract: false, type: 'Patient',
    baseDefinition: base.url, derivation: 'constraint', differential: { element },
  });

  it('applies cardinality, fixed values and bindings onto the base elements', () => {
    const sd = withSnapshot(profileWith([{ id: 'Patient.gender', path: 'Patient.gender', min: 1 }, { id: 'Patient.active', path: 'Patient.active', fixedBoolean: true }]), base);
    expect(sd.snapshot!.element.find((e) => e.id === 'Patient.gender')!.min).toBe(1);
    expect(sd.snapshot!.element.find((e) => e.id === 'Patient.active')!.fixedBoolean).toBe(true);
  });

  it('refuses what it cannot express: looser cardinality, unknown elements, slices', () => {
    expect(() => withSnapshot(profileWith([{ id: 'Patient.gender', path: 'Patient.gender', max: '2' }]), base)).toThrow(/loosens max/);
    expect(() => withSnapshot(profileWith([{ id: 'Patient.shoeSize', path: 'Patient.shoeSize', min: 1 }]), base)).toThrow(/not an element/);
    expect(() => withSnapshot(profileWith([{ id: 'Patient.identifier:mrn', path: 'Patient.identifier', sliceName: 'mrn' }]), base)).toThrow(/slices/);
    expect(() => withSnapshot(profileWith([{ id: 'Patient.gender', path: 'Patient.gender', slicing: { rules: 'open' } }]), base)).toThrow(/slicing/);
  });
});
