/** The license model on Practitioner.qualification: changes keep the other licenses and extensions, and the suspension's last day lives only while suspended. */
import type { Practitioner } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { LICENSE_SUSPENDED_UNTIL_EXTENSION, findLicense, licenseQualification, withLicense } from '../../../../src/domain/licensing/license';

const practitioner: Practitioner = {
  resourceType: 'Practitioner',
  qualification: [
    licenseQualification({ number: 'BAO-DOC-2026-00001', professionalType: 'doctor', start: '2026-01-01', end: '2026-12-31', status: 'active' }),
    licenseQualification({ number: 'BAO-PHARM-2026-00002', professionalType: 'pharmacist', start: '2026-01-01', end: '2026-12-31', status: 'active' }),
  ],
};

describe('withLicense', () => {
  it('records the last day of a suspension and reads it back', () => {
    const suspended = withLicense(practitioner, 'BAO-DOC-2026-00001', { status: 'suspended', suspendedUntil: '2026-06-30' });
    expect(findLicense(suspended, 'BAO-DOC-2026-00001')).toMatchObject({ status: 'suspended', suspendedUntil: '2026-06-30' });
    expect(suspended.qualification?.[0]?.extension).toContainEqual({ url: LICENSE_SUSPENDED_UNTIL_EXTENSION, valueDate: '2026-06-30' });
    // The other license is untouched.
    expect(suspended.qualification?.[1]).toEqual(practitioner.qualification?.[1]);
  });

  it('drops the last day when the license leaves the suspended status, keeps it otherwise', () => {
    const suspended = withLicense(practitioner, 'BAO-DOC-2026-00001', { status: 'suspended', suspendedUntil: '2026-06-30' });
    const renamed = withLicense(suspended, 'BAO-DOC-2026-00001', { end: '2027-01-31' });
    expect(findLicense(renamed, 'BAO-DOC-2026-00001')?.suspendedUntil).toBe('2026-06-30');
    for (const status of ['active', 'expired', 'revoked'] as const) {
      const changed = withLicense(suspended, 'BAO-DOC-2026-00001', { status });
      expect(findLicense(changed, 'BAO-DOC-2026-00001')).not.toHaveProperty('suspendedUntil');
      expect(changed.qualification?.[0]?.extension?.map((e) => e.url)).not.toContain(LICENSE_SUSPENDED_UNTIL_EXTENSION);
    }
  });
});
