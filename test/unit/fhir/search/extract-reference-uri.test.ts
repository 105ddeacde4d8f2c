import { describe, expect, it } from 'vitest';
import { BASE_URL, entries, extract } from './helpers';

describe('reference parameters', () => {
  const observation = (performer: unknown[]) => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, performer });

  it('normalises relative, versioned and same-server absolute references to Type/id', () => {
    const index = extract(observation([
      { reference: 'Practitioner/d1' },
      { reference: 'Practitioner/d2/_history/4' },
      { reference: `${BASE_URL}/Organization/o1` },
      { reference: `${BASE_URL}/Patient/p1/_history/2` },
    ]));
    expect(entries(index, 'ref', 'performer')).toEqual([
      { r: 'Practitioner/d1', ty: 'Practitioner' },
      { r: 'Practitioner/d2', ty: 'Practitioner' },
      { r: 'Organization/o1', ty: 'Organization' },
      { r: 'Patient/p1', ty: 'Patient' },
    ]);
  });

  it('keeps other absolute URLs as written, skips contained references', () => {
    const index = extract(observation([
      { reference: 'https://other.example/fhir/Practitioner/x/_history/1' },
      { reference: 'urn:uuid:5f0c5a8e-0000-4000-8000-000000000001', type: 'Practitioner' },
      { reference: '#contained-1' },
    ]));
    expect(entries(index, 'ref', 'performer')).toEqual([
      { r: 'https://other.example/fhir/Practitioner/x/_history/1', ty: 'Practitioner' },
      { r: 'urn:uuid:5f0c5a8e-0000-4000-8000-000000000001', ty: 'Practitioner' },
    ]);
  });

  it('indexes Reference.identifier for :identifier', () => {
    const index = extract(observation([{ identifier: { system: 'https://npi', value: '123' }, display: 'Dr X' }]));
    expect(entries(index, 'ref', 'performer')).toEqual([]);
    expect(entries(index, 'tok', 'performer:identifier')).toEqual([{ s: 'https://npi', c: '123' }]);
  });

  it('keeps only references of the type where(resolve() is T) asks for', () => {
    const index = extract({ ...observation([]), subject: { reference: 'Group/g1' } });
    expect(entries(index, 'ref', 'subject')).toEqual([{ r: 'Group/g1', ty: 'Group' }]);
    expect(entries(index, 'ref', 'patient')).toEqual([]);
    const ofPatient = extract({ ...observation([]), subject: { reference: 'Patient/p1' } });
    expect(entries(ofPatient, 'ref', 'patient')).toEqual([{ r: 'Patient/p1', ty: 'Patient' }]);
  });

  it('splits the version off canonical references', () => {
    const questionnaireResponse = {
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: 'http://example.org/Questionnaire/phq-9|2.1',
    };
    expect(entries(extract(questionnaireResponse), 'ref', 'questionnaire')).toEqual([{ r: 'http://example.org/Questionnaire/phq-9', v: '2.1' }]);
    const plain = { ...questionnaireResponse, questionnaire: 'http://example.org/Questionnaire/phq-9' };
    expect(entries(extract(plain), 'ref', 'questionnaire')).toEqual([{ r: 'http://example.org/Questionnaire/phq-9' }]);
  });

  it('indexes an inline resource (Bundle composition) as Type/id', () => {
    const bundle = { resourceType: 'Bundle', type: 'document', entry: [{ resource: { resourceType: 'Composition', id: 'c1' } }] };
    expect(entries(extract(bundle), 'ref', 'composition')).toEqual([{ r: 'Composition/c1', ty: 'Composition' }]);
  });
});

describe('uri parameters and _profile, _source', () => {
  it('keeps uris as written', () => {
    const valueSet = { resourceType: 'ValueSet', status: 'active', url: 'http://example.org/ValueSet/x' };
    expect(entries(extract(valueSet), 'uri', 'url')).toEqual([{ v: 'http://example.org/ValueSet/x' }]);
  });

  it('indexes _profile as a uri and as a canonical reference, _source as a uri', () => {
    const patient = {
      resourceType: 'Patient',
      meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|3.1.1'], source: 'https://ehr.example/#abc' },
    };
    const index = extract(patient);
    expect(entries(index, 'uri', '_profile')).toEqual([{ v: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|3.1.1' }]);
    expect(entries(index, 'ref', '_profile')).toEqual([{ r: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient', v: '3.1.1' }]);
    expect(entries(index, 'uri', '_source')).toEqual([{ v: 'https://ehr.example/#abc' }]);
  });
});
