/** The fingerprint a type's stored index is checked against changes with its own parameters only. */
import { describe, expect, it } from 'vitest';
import type { SearchParameter } from '@medplum/fhirtypes';
import { loadDefinitions } from '../../../../src/fhir/definitions';
import { SearchRegistry } from '../../../../src/fhir/search/registry';
import { indexFingerprint } from '../../../../src/fhir/search/index-maintenance';

const definitions = loadDefinitions();

const nickname: SearchParameter = {
  resourceType: 'SearchParameter',
  url: 'http://example.org/SearchParameter/nickname',
  name: 'nickname',
  status: 'active',
  description: 'Nicknames',
  code: 'nickname',
  base: ['Patient'],
  type: 'string',
  expression: "Patient.name.where(use = 'nickname').given",
};

describe('indexFingerprint', () => {
  it('is the same for the same definitions, and differs between types', () => {
    const a = new SearchRegistry(definitions);
    const b = new SearchRegistry(definitions);
    expect(indexFingerprint(a, 'Patient')).toBe(indexFingerprint(b, 'Patient'));
    expect(indexFingerprint(a, 'Patient')).not.toBe(indexFingerprint(a, 'Observation'));
  });

  it('changes for the types a parameter is added to, changed on or removed from, and no others', () => {
    const registry = new SearchRegistry(definitions);
    const patient = indexFingerprint(registry, 'Patient');
    const observation = indexFingerprint(registry, 'Observation');
    registry.add(nickname);
    const added = indexFingerprint(registry, 'Patient');
    expect(added).not.toBe(patient);
    expect(indexFingerprint(registry, 'Observation')).toBe(observation);
    registry.add({ ...nickname, expression: "Patient.name.where(use = 'usual').given" });
    expect(indexFingerprint(registry, 'Patient')).not.toBe(added);
    registry.remove(nickname.url!);
    expect(indexFingerprint(registry, 'Patient')).toBe(patient);
  });

  it('changes when a core parameter is replaced by a custom one with the same code', () => {
    const registry = new SearchRegistry(definitions);
    const patient = indexFingerprint(registry, 'Patient');
    registry.add({ ...nickname, url: 'http://example.org/SearchParameter/family', code: 'family', name: 'family', expression: 'Patient.name.family.first()' });
    expect(indexFingerprint(registry, 'Patient')).not.toBe(patient);
  });
});
