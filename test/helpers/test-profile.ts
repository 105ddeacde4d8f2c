/**
 * A Patient profile built from the R4 Patient snapshot for $validate tests: gender required,
 * active fixed to true, a closed-by-value identifier slice `mrn` (system fixed, min 1), a
 * maritalStatus pattern and required binding, and deceased[x] narrowed to boolean.
 */
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { loadDefinitions } from '../../src/fhir/definitions';

export const TEST_PROFILE_URL = 'http://example.org/fhir/StructureDefinition/test-patient';
export const MRN_SYSTEM = 'http://hospital.example.org/mrn';
export const MARITAL_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';

export function testPatientProfile(): StructureDefinition {
  const base = structuredClone(loadDefinitions().getStructureDefinition('Patient')!);
  const elements: ElementDefinition[] = [];
  for (const element of base.snapshot!.element) {
    const e = { ...element };
    if (e.path === 'Patient.gender') e.min = 1;
    if (e.path === 'Patient.active') e.fixedBoolean = true;
    if (e.path === 'Patient.deceased[x]') e.type = [{ code: 'boolean' }];
    if (e.path === 'Patient.maritalStatus') {
      e.patternCodeableConcept = { coding: [{ system: MARITAL_SYSTEM }] };
      e.binding = { strength: 'required', valueSet: 'http://hl7.org/fhir/ValueSet/marital-status' };
    }
    if (e.path === 'Patient.identifier') {
      e.slicing = { discriminator: [{ type: 'value', path: 'system' }], rules: 'open' };
      elements.push(e);
      elements.push({ ...e, id: 'Patient.identifier:mrn', sliceName: 'mrn', min: 1, max: '1', slicing: undefined });
      elements.push({ id: 'Patient.identifier:mrn.system', path: 'Patient.identifier.system', min: 1, max: '1', type: [{ code: 'uri' }], fixedUri: MRN_SYSTEM });
      elements.push({ id: 'Patient.identifier:mrn.value', path: 'Patient.identifier.value', min: 1, max: '1', type: [{ code: 'string' }] });
      continue;
    }
    elements.push(e);
  }
  return {
    resourceType: 'StructureDefinition',
    url: TEST_PROFILE_URL,
    name: 'TestPatient',
    status: 'draft',
    kind: 'resource',
    abstract: false,
    type: 'Patient',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient',
    derivation: 'constraint',
    snapshot: { element: elements },
  };
}
