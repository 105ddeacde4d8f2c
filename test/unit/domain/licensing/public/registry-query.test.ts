/** $registry-search inputs → search query: checked, escaped, bounded. */
import { describe, expect, it } from 'vitest';
import { FhirError } from '../../../../../src/fhir/outcomes';
import { pageSize, registryQuery } from '../../../../../src/domain/licensing/public/registry-query';
import { escapeSearchValue } from '../../../../../src/domain/licensing/public/system-search';

describe('registryQuery', () => {
  it('always limits to professionals holding a registry license', () => {
    expect(registryQuery({})).toEqual({ 'license-status:missing': ['false'] });
    expect(registryQuery({ status: 'revoked' })).toEqual({ 'license-status': ['revoked'] });
  });

  it('splits the name into words, each escaped as one literal value', () => {
    expect(registryQuery({ name: '  Ada   Obi ' })?.name).toEqual(['Ada', 'Obi']);
    expect(registryQuery({ name: 'a,b|c$d\\e' })?.name).toEqual(['a\\,b\\|c\\$d\\\\e']);
    expect(registryQuery({ name: '{"$gt":""}' })?.name).toEqual(['{"\\$gt":""}']);
  });

  it('maps codes to their systems and parameters', () => {
    const anyStatus = (token: string) => ['active', 'suspended', 'expired', 'revoked', 'inactive'].map((s) => `${token}$${s}`).join(',');
    expect(registryQuery({ professionalType: 'doctor', specialization: 'medicine', state: 'NG-LA', licenseNumber: 'BAO-DOC-2026-00001' })).toEqual({
      'license-type-status': [anyStatus('https://baobab.health/fhir/CodeSystem/professional-type|doctor')],
      '_has:PractitionerRole:practitioner:specialty': ['https://baobab.health/fhir/CodeSystem/specialty|medicine'],
      'practice-state': ['NG-LA'],
      'license-number-status': [anyStatus('https://baobab.health/fhir/sid/license-number|BAO-DOC-2026-00001')],
    });
  });

  it('matches a professional type or number with the status on the same license', () => {
    expect(registryQuery({ professionalType: 'pharmacist', status: 'active' })).toEqual({
      'license-type-status': ['https://baobab.health/fhir/CodeSystem/professional-type|pharmacist$active'],
    });
    expect(registryQuery({ licenseNumber: 'BAO-PHA-2026-00002', status: 'revoked' })).toEqual({
      'license-number-status': ['https://baobab.health/fhir/sid/license-number|BAO-PHA-2026-00002$revoked'],
    });
    expect(registryQuery({ status: 'suspended', state: 'NG-LA' })).toEqual({ 'practice-state': ['NG-LA'], 'license-status': ['suspended'] });
    expect(registryQuery({ name: 'Ada' })).toEqual({ name: ['Ada'], 'license-status:missing': ['false'] });
  });

  it('a license number the registry cannot have issued matches nothing (no query at all)', () => {
    expect(registryQuery({ licenseNumber: '{"$gt":""}' })).toBeUndefined();
    expect(registryQuery({ licenseNumber: 'A,B' })).toBeUndefined();
  });

  it.each([{ professionalType: 'wizard' }, { specialization: '.*' }, { state: 'NG-XX' }, { status: 'maybe' }, { name: 'x'.repeat(101) }])('refuses %j with a 400', (input) => {
    try {
      registryQuery(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FhirError);
      expect((err as FhirError).status).toBe(400);
    }
  });

  it('bounds the page size', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(5000)).toBe(100);
    expect(() => pageSize(0)).toThrow(FhirError);
  });

  it('escapes FHIR search separators', () => {
    expect(escapeSearchValue('a\\b,c$d|e')).toBe('a\\\\b\\,c\\$d\\|e');
  });
});
