/** LOINC, SNOMED CT, ICD-10 and RxNorm codes: system URIs and code formats (check digits included). */
import { describe, expect, it } from 'vitest';
import { checkExternalFormat, ICD10, ICD10_CM, LOINC, RXNORM, SNOMED } from '../../../src/terminology/external-systems';

const valid = (system: string, code: string) => checkExternalFormat(system, code)?.valid;

describe('external code systems', () => {
  it('LOINC: digits, hyphen, the mod-10 check digit', () => {
    for (const code of ['8302-2', '29463-7', '39156-5', '72166-2']) expect(valid(LOINC, code), code).toBe(true);
    for (const code of ['8302-3', '8302', 'LP12345-6', '8302-2 ']) expect(valid(LOINC, code), code).toBe(false);
  });

  it('SNOMED CT: 6 to 18 digits, a known partition and the Verhoeff check digit', () => {
    for (const code of ['404684003', '73211009', '38341003', '195967001', '10509002']) expect(valid(SNOMED, code), code).toBe(true);
    for (const code of ['404684004', '12345', '073211009', '73211039']) expect(valid(SNOMED, code), code).toBe(false);
  });

  it('ICD-10, ICD-10-CM and RxNorm formats', () => {
    expect(valid(ICD10, 'J45.9')).toBe(true);
    expect(valid(ICD10, 'J45.909')).toBe(false);
    expect(valid(ICD10_CM, 'E11.65')).toBe(true);
    expect(valid(ICD10_CM, 'e11.65')).toBe(false);
    expect(valid(RXNORM, '197361')).toBe(true);
    expect(valid(RXNORM, 'RX197361')).toBe(false);
  });

  it('names the right URI for well-known wrong ones, and leaves other systems alone', () => {
    expect(checkExternalFormat('urn:oid:2.16.840.1.113883.6.96', '73211009')).toEqual({ valid: false, message: expect.stringContaining(`use '${SNOMED}'`) });
    expect(checkExternalFormat('http://hl7.org/fhir/sid/icd10', 'J45.9')?.message).toContain(ICD10);
    expect(checkExternalFormat('http://example.org/local', 'anything')).toBeUndefined();
  });
});
