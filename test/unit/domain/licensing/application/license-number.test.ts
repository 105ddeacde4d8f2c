import { describe, expect, it } from 'vitest';
import { MAX_SEQUENCE, formatLicenseNumber, licenseSeries, professionalType, professionalTypesIn } from '../../../../../src/domain/licensing/application/license-number';
import { licenseEnd } from '../../../../../src/domain/licensing/application/license-term';

describe('license numbers', () => {
  it('formats {PREFIX}-{TYPE}-{YYYY}-{NNNNN}', () => {
    expect(formatLicenseNumber('PHB', 'DOC', 2026, 1)).toBe('PHB-DOC-2026-00001');
    expect(formatLicenseNumber('BAO', 'PHARM', 2027, 12345)).toBe('BAO-PHARM-2027-12345');
    expect(formatLicenseNumber('BAO', 'NURSE', 2026, MAX_SEQUENCE)).toBe('BAO-NURSE-2026-99999');
  });
  it('refuses sequences outside 1..99999', () => {
    for (const bad of [0, -1, 1.5, MAX_SEQUENCE + 1]) expect(() => formatLicenseNumber('BAO', 'DOC', 2026, bad)).toThrow(RangeError);
  });
  it('has one series per type and year', () => {
    expect(licenseSeries('DOC', 2026)).toBe('DOC-2026');
    expect(licenseSeries('DOC', 2026)).not.toBe(licenseSeries('DOC', 2027));
  });
  it('takes the type code from the license-type property of the professional-type CodeSystem', () => {
    expect(professionalType('doctor')).toMatchObject({ code: 'doctor', licenseType: 'DOC' });
    expect(professionalType('pharmacist')?.licenseType).toBe('PHARM');
    expect(professionalType('nurse')?.licenseType).toBe('NURSE');
    expect(professionalType('midwife')?.licenseType).toBe('MIDW');
    expect(professionalType('astronaut')).toBeUndefined();
    const types = professionalTypesIn({ resourceType: 'CodeSystem', status: 'active', content: 'complete', concept: [{ code: 'x', property: [{ code: 'license-type', valueString: 'X' }] }, { code: 'y' }] });
    expect([...types.keys()]).toEqual(['x']);
  });
});

describe('licenseEnd', () => {
  it('ends the day before the same date after the term', () => {
    expect(licenseEnd('2026-11-25', 12)).toBe('2027-11-24');
    expect(licenseEnd('2026-01-01', 1)).toBe('2026-01-31');
    expect(licenseEnd('2026-01-31', 1)).toBe('2026-02-27');
    expect(licenseEnd('2024-02-29', 12)).toBe('2025-02-27');
  });
});
