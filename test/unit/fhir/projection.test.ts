/** _summary and _elements (search.html#summary, #elements) on official R4 examples. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Bundle, Coding, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/fhir/definitions';
import { applyElements, applySummary } from '../../../src/fhir/projection';

const ORACLE_DIR = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
const defs = loadDefinitions();
const SUBSETTED: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

/** A deeply frozen official example: any mutation by the code under test throws. */
function example<T extends Resource>(file: string): T {
  return deepFreeze(JSON.parse(readFileSync(join(ORACLE_DIR, file), 'utf8')) as T);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function subsettedTags(resource: Resource): Coding[] {
  return (resource.meta?.tag ?? []).filter((t) => t.system === SUBSETTED.system && t.code === SUBSETTED.code);
}

describe('_summary=true', () => {
  it('keeps the summary elements of Patient-example, including primitive extensions', () => {
    const patient = example<Patient>('Patient-example.json');
    const result = applySummary(patient, 'true', defs) as Patient;
    expect(Object.keys(result).sort()).toEqual(
      ['resourceType', 'id', 'meta', 'identifier', 'active', 'name', 'telecom', 'gender', 'birthDate', '_birthDate', 'deceasedBoolean', 'address', 'managingOrganization'].sort(),
    );
    expect(result.name).toEqual(patient.name); // datatype values are kept whole
    expect(result).toHaveProperty('_birthDate', (patient as unknown as Record<string, unknown>)._birthDate);
    expect(subsettedTags(result)).toEqual([SUBSETTED]);
    expect(patient.meta).toBeUndefined(); // input untouched (and frozen)
  });

  it('keeps a choice-type value (valueQuantity belongs to value[x])', () => {
    const observation = example<Observation>('Observation-example.json');
    const result = applySummary(observation, 'true', defs) as Observation;
    expect(result.valueQuantity).toEqual(observation.valueQuantity);
    expect(result.effectiveDateTime).toBe(observation.effectiveDateTime);
    expect(result).not.toHaveProperty('text');
    expect(result.status).toBe('final');
  });

  it('recurses into BackboneElements: keeps component.code and value, drops component.interpretation', () => {
    const observation = example<Observation>('Observation-blood-pressure.json');
    expect(observation.component?.[0]?.interpretation).toBeDefined();
    const result = applySummary(observation, 'true', defs) as Observation;
    expect(result).not.toHaveProperty('interpretation'); // not summary at the top level either
    expect(result.component).toHaveLength(2);
    for (const [i, component] of (result.component ?? []).entries()) {
      expect(Object.keys(component).sort()).toEqual(['code', 'valueQuantity']);
      expect(component.valueQuantity).toEqual(observation.component?.[i]?.valueQuantity);
    }
    expect(result.meta?.lastUpdated).toBe(observation.meta?.lastUpdated);
    expect(subsettedTags(result)).toHaveLength(1);
  });

  it('keeps modifier extensions and follows content references', () => {
    const patient: Patient = deepFreeze({
      resourceType: 'Patient',
      id: 'p1',
      modifierExtension: [{ url: 'http://example.org/mod', valueBoolean: true }],
      extension: [{ url: 'http://example.org/plain', valueString: 'x' }],
      link: [{ id: 'l1', extension: [{ url: 'http://example.org/e', valueString: 'y' }], other: { reference: 'Patient/p2' }, type: 'seealso' }],
    });
    const result = applySummary(patient, 'true', defs) as Patient;
    expect(result.modifierExtension).toEqual(patient.modifierExtension);
    expect(result).not.toHaveProperty('extension');
    expect(result.link).toEqual([{ other: { reference: 'Patient/p2' }, type: 'seealso' }]);

    const bundle: Bundle = deepFreeze({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ link: [{ id: 'x', relation: 'self', url: 'http://a/Patient/p1' }], fullUrl: 'http://a/Patient/p1', resource: patient }],
    });
    const summarised = applySummary(bundle, 'true', defs) as Bundle;
    expect(summarised.entry?.[0]?.link).toEqual([{ relation: 'self', url: 'http://a/Patient/p1' }]); // Bundle.entry.link → Bundle.link
    expect(summarised.entry?.[0]?.resource).toEqual(patient); // Resource-typed values are kept whole
  });

  it('treats count like true for a single resource', () => {
    const patient = example<Patient>('Patient-example.json');
    expect(applySummary(patient, 'count', defs)).toEqual(applySummary(patient, 'true', defs));
  });
});

describe('_summary=text, data, false', () => {
  it('text keeps text, id, meta and mandatory top-level elements', () => {
    const observation = example<Observation>('Observation-example.json');
    const result = applySummary(observation, 'text', defs);
    expect(Object.keys(result).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'text']);
    expect((result as Observation).text).toEqual(observation.text);
    expect(subsettedTags(result)).toHaveLength(1);
  });

  it('data removes only text', () => {
    const patient = example<Patient>('Patient-example.json');
    const result = applySummary(patient, 'data', defs);
    const { text: _text, ...rest } = patient;
    expect(result).toEqual({ ...rest, meta: { tag: [SUBSETTED] } });
  });

  it('data on a resource without text removes nothing and adds no tag', () => {
    const patient: Patient = deepFreeze({ resourceType: 'Patient', id: 'p', active: true });
    const result = applySummary(patient, 'data', defs);
    expect(result).toEqual(patient);
    expect(result).not.toBe(patient);
  });

  it('false returns the resource unchanged', () => {
    const patient = example<Patient>('Patient-example.json');
    expect(applySummary(patient, 'false', defs)).toBe(patient);
  });
});

describe('_elements', () => {
  it('keeps the listed elements plus resourceType, id, meta and mandatory elements', () => {
    const observation = example<Observation>('Observation-example.json');
    const result = applyElements(observation, ['subject'], defs);
    expect(Object.keys(result).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'subject']);
    expect(subsettedTags(result)).toHaveLength(1);
  });

  it('accepts value, value[x], valueQuantity and Observation.value for a choice element', () => {
    const observation = example<Observation>('Observation-example.json');
    for (const name of ['value', 'value[x]', 'valueQuantity', 'Observation.value', 'Observation.valueQuantity']) {
      const result = applyElements(observation, [name], defs) as Observation;
      expect(result.valueQuantity, name).toEqual(observation.valueQuantity);
      expect(result.effectiveDateTime, name).toBeUndefined();
    }
  });

  it('accepts the Patient.name form and ignores unknown names and other types', () => {
    const patient = example<Patient>('Patient-example.json');
    const result = applyElements(patient, ['Patient.name', 'birthDate', 'nope', 'Observation.gender', ''], defs);
    expect(Object.keys(result).sort()).toEqual(['_birthDate', 'birthDate', 'id', 'meta', 'name', 'resourceType']);
    expect((result as Patient).name).toEqual(patient.name);
  });

  it('adds no tag when nothing was removed', () => {
    const patient: Patient = deepFreeze({ resourceType: 'Patient', id: 'p', gender: 'male' });
    expect(applyElements(patient, ['gender'], defs)).toEqual(patient);
  });
});

describe('SUBSETTED tag', () => {
  it('is not duplicated and keeps existing tags', () => {
    const other: Coding = { system: 'http://example.org/tags', code: 'keep' };
    const patient: Patient = deepFreeze({
      resourceType: 'Patient',
      id: 'p',
      meta: { versionId: '3', tag: [other, { ...SUBSETTED, display: 'subsetted' }] },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">p</div>' },
      gender: 'female',
    });
    const result = applySummary(patient, 'data', defs);
    expect(result.meta).toEqual(patient.meta);
    expect(applyElements(patient, ['id'], defs).meta?.tag).toHaveLength(2);
  });

  it('never shares objects with the input', () => {
    const patient = JSON.parse(readFileSync(join(ORACLE_DIR, 'Patient-example.json'), 'utf8')) as Patient;
    const before = structuredClone(patient);
    const result = applySummary(patient, 'true', defs) as Patient;
    result.name?.[0]?.given?.push('Changed');
    (result.meta?.tag ?? []).push({ code: 'x' });
    expect(patient).toEqual(before);
  });
});
