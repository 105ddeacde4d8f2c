/** The license-application Task and clinical-note DocumentReference profiles: snapshots and rules. */
import type { DocumentReference, Resource, Task } from '@medplum/fhirtypes';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/fhir/definitions';

const B = 'https://baobab.health/fhir';
const profile = (id: string) => loadDefinitions().profiles.structureDefinitions.find((sd) => sd.id === id)!;

function holds(id: string, key: string, resource: Resource): boolean {
  const rule = profile(id).snapshot!.element[0]!.constraint!.find((c) => c.key === key)!;
  const result = fhirpath.evaluate(resource, rule.expression!, undefined, r4) as unknown[];
  return result.length === 1 && result[0] === true;
}

const input = (code: string, value: Record<string, unknown>) => ({ type: { coding: [{ system: `${B}/CodeSystem/application-input`, code }] }, ...value });
const application: Task = {
  resourceType: 'Task',
  status: 'requested',
  intent: 'order',
  code: { coding: [{ system: `${B}/CodeSystem/registry-task`, code: 'license-application' }] },
  focus: { reference: 'Practitioner/applicant' },
  input: [
    input('professional-type', { valueCodeableConcept: { coding: [{ system: `${B}/CodeSystem/professional-type`, code: 'doctor' }] } }),
    input('council-registration', { valueIdentifier: { system: `${B}/sid/ng-mdcn`, value: 'MDCN/R/1' } }),
  ],
};
const note: DocumentReference = {
  resourceType: 'DocumentReference',
  status: 'current',
  type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
  subject: { reference: 'Patient/p1' },
  date: '2026-11-25T10:00:00Z',
  content: [{ attachment: { contentType: 'application/pdf', url: 'Binary/b1' } }],
};

describe('license-application', () => {
  it('requires code (the license-application pattern) and focus', () => {
    const elements = profile('license-application').snapshot!.element;
    const code = elements.find((e) => e.id === 'Task.code')!;
    expect(code.min).toBe(1);
    expect(code.patternCodeableConcept).toEqual({ coding: [{ system: `${B}/CodeSystem/registry-task`, code: 'license-application' }] });
    expect(elements.find((e) => e.id === 'Task.focus')!.min).toBe(1);
  });

  it('bao-app-1: about a Practitioner', () => {
    expect(holds('license-application', 'bao-app-1', application)).toBe(true);
    expect(holds('license-application', 'bao-app-1', { ...application, focus: { reference: 'Patient/x' } })).toBe(false);
  });

  it('bao-app-2: past draft, exactly one professional type', () => {
    expect(holds('license-application', 'bao-app-2', application)).toBe(true);
    const without = { ...application, input: application.input!.slice(1) };
    expect(holds('license-application', 'bao-app-2', without)).toBe(false);
    expect(holds('license-application', 'bao-app-2', { ...without, status: 'draft' })).toBe(true);
    expect(holds('license-application', 'bao-app-2', { ...application, input: [...application.input!, application.input![0]!] })).toBe(false);
  });
});

describe('clinical-note', () => {
  it('requires type, subject and date', () => {
    const elements = profile('clinical-note').snapshot!.element;
    for (const id of ['DocumentReference.type', 'DocumentReference.subject', 'DocumentReference.date']) expect(elements.find((e) => e.id === id)!.min, id).toBe(1);
  });

  it('bao-note-1 and bao-note-2', () => {
    expect(holds('clinical-note', 'bao-note-1', note)).toBe(true);
    expect(holds('clinical-note', 'bao-note-1', { ...note, subject: { reference: 'Practitioner/x' } })).toBe(false);
    expect(holds('clinical-note', 'bao-note-2', note)).toBe(true);
    expect(holds('clinical-note', 'bao-note-2', { ...note, content: [{ attachment: { url: 'Binary/b1' } }] })).toBe(false);
  });
});

describe('disciplinary-action', () => {
  const ext = (id: string, value: Record<string, unknown>) => ({ url: `${B}/StructureDefinition/${id}`, ...value });
  const action = {
    resourceType: 'Basic' as const,
    code: { coding: [{ system: `${B}/CodeSystem/registry-record`, code: 'disciplinary-action' }] },
    subject: { reference: 'Practitioner/drA' },
    created: '2026-11-25',
    extension: [
      ext('disciplinary-action-type', { valueCodeableConcept: { coding: [{ system: `${B}/CodeSystem/disciplinary-action-type`, code: 'warning' }] } }),
      ext('disciplinary-summary', { valueString: 'Late renewal' }),
      ext('disciplinary-public', { valueBoolean: true }),
    ],
  };

  it('requires subject and created, and the record-type pattern', () => {
    const elements = profile('disciplinary-action').snapshot!.element;
    expect(elements.find((e) => e.id === 'Basic.subject')!.min).toBe(1);
    expect(elements.find((e) => e.id === 'Basic.created')!.min).toBe(1);
    expect(elements.find((e) => e.id === 'Basic.code')!.patternCodeableConcept).toEqual(action.code);
  });

  it('bao-disc-1 and bao-disc-2', () => {
    expect(holds('disciplinary-action', 'bao-disc-1', action)).toBe(true);
    expect(holds('disciplinary-action', 'bao-disc-1', { ...action, subject: { reference: 'Patient/p' } })).toBe(false);
    expect(holds('disciplinary-action', 'bao-disc-2', action)).toBe(true);
    expect(holds('disciplinary-action', 'bao-disc-2', { ...action, extension: action.extension.slice(0, 2) })).toBe(false);
  });
});

describe('vital-signs', () => {
  const heartRate = {
    resourceType: 'Observation' as const,
    status: 'final' as const,
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2026-11-25T09:00:00Z',
    valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
  };
  const cases: Array<[string, Record<string, unknown>]> = [
    ['bao-vs-1', { category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }] }],
    ['bao-vs-2', { code: { text: 'pulse' } }],
    ['bao-vs-3', { subject: { reference: 'Group/g' } }],
    ['bao-vs-4', { valueQuantity: undefined }],
    ['bao-vs-5', { valueQuantity: { value: 72, unit: 'bpm' } }],
  ];
  it('a heart rate in UCUM passes every rule', () => {
    for (const [key] of cases) expect(holds('vital-signs', key, heartRate), key).toBe(true);
  });
  for (const [key, change] of cases) {
    it(`${key} fails ${JSON.stringify(change)}`, () => {
      expect(holds('vital-signs', key, { ...heartRate, ...change } as Resource)).toBe(false);
    });
  }
  it('a missing value with its reason passes bao-vs-4', () => {
    expect(holds('vital-signs', 'bao-vs-4', { ...heartRate, valueQuantity: undefined, dataAbsentReason: { text: 'refused' } } as Resource)).toBe(true);
  });
});
