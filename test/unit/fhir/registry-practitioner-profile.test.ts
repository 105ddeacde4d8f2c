/**
 * profiles/StructureDefinition-registry-practitioner.json and its license-status extension: the
 * snapshots are generated, and each rule passes a licensed practitioner and fails one that breaks it.
 */
import type { Practitioner } from '@medplum/fhirtypes';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/fhir/definitions';

const B = 'https://baobab.health/fhir';
const profiles = loadDefinitions().profiles.structureDefinitions;
const practitioner = profiles.find((sd) => sd.id === 'registry-practitioner')!;
const extension = profiles.find((sd) => sd.id === 'license-status')!;
const rules = practitioner.snapshot!.element[0]!.constraint!.filter((c) => c.key.startsWith('bao-prac-'));

const licensed: Practitioner = {
  resourceType: 'Practitioner',
  active: true,
  identifier: [{ system: `${B}/sid/ng-mdcn`, value: 'MDCN/R/12345' }],
  qualification: [
    {
      identifier: [{ system: `${B}/sid/license-number`, value: 'PHB-DOC-2026-00001' }],
      code: { coding: [{ system: `${B}/CodeSystem/professional-type`, code: 'doctor' }] },
      period: { start: '2026-11-25', end: '2027-11-24' },
      issuer: { reference: 'Organization/registry' },
      extension: [{ url: `${B}/StructureDefinition/license-status`, valueCode: 'active' }],
    },
    // A degree is a qualification too, without a registry number: the license rule leaves it alone.
    { code: { text: 'MBBS' } },
  ],
};

function holds(key: string, resource: Practitioner): boolean {
  const result = fhirpath.evaluate(resource, rules.find((c) => c.key === key)!.expression!, undefined, r4) as unknown[];
  return result.length === 1 && result[0] === true;
}

describe('the registry Practitioner profile', () => {
  it('has generated snapshots, the extension fixed to its url and bound to the license statuses', () => {
    expect(practitioner.snapshot!.element.some((e) => e.id === 'Practitioner.qualification.extension')).toBe(true);
    expect(extension.snapshot!.element.find((e) => e.id === 'Extension.url')!.fixedUri).toBe(`${B}/StructureDefinition/license-status`);
    const value = extension.snapshot!.element.find((e) => e.id === 'Extension.value[x]')!;
    expect(value.type).toEqual([{ code: 'code' }]);
    expect(value.binding).toEqual({ strength: 'required', valueSet: `${B}/ValueSet/license-status` });
    expect(rules.map((c) => c.key)).toEqual(['bao-prac-1', 'bao-prac-2']);
  });

  it('a licensed practitioner passes every rule', () => {
    for (const rule of rules) expect(holds(rule.key, licensed), rule.key).toBe(true);
  });

  it('a license without status, period start, issuer or professional type fails bao-prac-1', () => {
    const license = licensed.qualification![0]!;
    for (const broken of [
      { ...license, extension: undefined },
      { ...license, period: { end: '2027-01-01' } },
      { ...license, issuer: undefined },
      { ...license, code: { text: 'doctor' } },
    ]) {
      expect(holds('bao-prac-1', { ...licensed, qualification: [broken] })).toBe(false);
    }
  });

  it('a registration number without a system fails bao-prac-2', () => {
    expect(holds('bao-prac-2', { ...licensed, identifier: [{ value: '12345' }] })).toBe(false);
  });
});
