/** The public view is built by copying chosen fields: private data cannot leak by omission. */
import type { Basic, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { SPECIALTY_SYSTEM, licenseQualification } from '../../../../../src/domain/licensing/license';
import { PUBLIC_CONTACT_EXTENSION, displayName, publicDisciplinaryActions, publicLicenses, publicRecord } from '../../../../../src/domain/licensing/public/public-view';
import { verificationParameters, recordParameters } from '../../../../../src/domain/licensing/public/public-parameters';
import { countLicenses } from '../../../../../src/domain/licensing/public/registry-statistics';

const SD = 'https://baobab.health/fhir/StructureDefinition';

const practitioner: Practitioner = {
  resourceType: 'Practitioner',
  id: 'p1',
  identifier: [{ system: 'https://baobab.health/fhir/sid/ng-nin', value: 'NIN-SECRET' }],
  name: [{ use: 'nickname', text: 'Nick' }, { use: 'official', prefix: ['Dr'], given: ['Ada', 'B.'], family: 'Obi' }],
  birthDate: '1980-01-01',
  gender: 'female',
  telecom: [
    { system: 'phone', value: 'PHONE-SECRET', extension: [{ url: PUBLIC_CONTACT_EXTENSION, valueBoolean: false }] },
    { system: 'email', value: 'public@example.org', use: 'work', extension: [{ url: PUBLIC_CONTACT_EXTENSION, valueBoolean: true }], period: { start: '2020-01-01' } },
  ],
  address: [{ use: 'home', line: ['LINE-SECRET'], state: 'NG-KN' }, { use: 'work', line: ['Hospital'], state: 'NG-LA', postalCode: 'POST-SECRET' }],
  qualification: [
    { code: { text: 'MBBS' }, identifier: [{ system: 'urn:degree', value: 'DEGREE-SECRET' }] },
    licenseQualification({ number: 'BAO-DOC-2026-00001', professionalType: 'doctor', start: '2026-01-01', end: '2026-12-31', status: 'active' }),
    licenseQualification({ number: 'BAO-PHARM-2020-00001', professionalType: 'pharmacist', start: '2020-01-01', end: '2021-01-01', status: 'active' }),
  ],
};

const role: PractitionerRole = { resourceType: 'PractitionerRole', specialty: [{ coding: [{ system: SPECIALTY_SYSTEM, code: 'medicine' }, { system: 'urn:other', code: 'x' }] }] };
const inactiveRole: PractitionerRole = { resourceType: 'PractitionerRole', active: false, specialty: [{ coding: [{ system: SPECIALTY_SYSTEM, code: 'pharmacy' }] }] };

function action(isPublic: boolean | undefined, summary: string, created: string): Basic {
  return {
    resourceType: 'Basic',
    code: { coding: [{ system: 'https://baobab.health/fhir/CodeSystem/registry-record', code: 'disciplinary-action' }] },
    created,
    author: { reference: 'Practitioner/AUTHOR-SECRET' },
    extension: [
      { url: `${SD}/disciplinary-summary`, valueString: summary },
      { url: `${SD}/disciplinary-action-type`, valueCodeableConcept: { coding: [{ system: 'urn:t', code: 'warning', display: 'Warning' }] } },
      ...(isPublic === undefined ? [] : [{ url: `${SD}/disciplinary-public`, valueBoolean: isPublic }]),
    ],
  };
}

describe('public view', () => {
  it('takes the official name as text', () => {
    expect(displayName(practitioner)).toBe('Dr Ada B. Obi');
    expect(displayName({ resourceType: 'Practitioner', name: [{ text: 'Written' }] })).toBe('Written');
    expect(displayName({ resourceType: 'Practitioner' })).toBe('');
  });

  it('keeps only registry licenses; an active license past its end date is shown expired and not valid', () => {
    const licenses = publicLicenses(practitioner, '2026-06-01');
    expect(licenses.map((l) => [l.number, l.status, l.valid])).toEqual([
      ['BAO-DOC-2026-00001', 'active', true],
      ['BAO-PHARM-2020-00001', 'expired', false],
    ]);
    expect(publicLicenses(practitioner, '2027-01-01')[0]).toMatchObject({ status: 'expired', valid: false });
    expect(publicLicenses(practitioner, '2025-12-31')[0]).toMatchObject({ status: 'active', valid: false });
  });

  it('shows public disciplinary actions only (a missing flag is private), newest first', () => {
    const shown = publicDisciplinaryActions([action(true, 'old', '2024-01-01'), action(false, 'hidden', '2025-01-01'), action(undefined, 'unflagged', '2025-02-01'), action(true, 'new', '2026-01-01')]);
    expect(shown.map((a) => a.summary)).toEqual(['new', 'old']);
    expect(shown[0]!.action?.coding?.[0]?.code).toBe('warning');
  });

  it('copies only public fields: no identifiers, birth date, home address, private contacts', () => {
    const record = publicRecord(practitioner, [role, inactiveRole], [action(true, 'public one', '2026-01-01'), action(false, 'PRIVATE-ONE', '2026-02-01')], '2026-06-01');
    expect(record.state?.code).toBe('NG-LA');
    expect(record.specializations.map((s) => s.code)).toEqual(['medicine']);
    expect(record.telecom).toEqual([{ system: 'email', value: 'public@example.org', use: 'work' }]);
    const text = JSON.stringify([record, recordParameters(record), verificationParameters({ record, license: record.licenses[0]! })]);
    for (const secret of ['NIN-SECRET', 'PHONE-SECRET', 'LINE-SECRET', 'POST-SECRET', 'NG-KN', '1980-01-01', 'female', 'DEGREE-SECRET', 'MBBS', 'Nick', 'AUTHOR-SECRET', 'PRIVATE-ONE']) {
      expect(text).not.toContain(secret);
    }
  });

  it('an unknown license is valid false and nothing else', () => {
    expect(verificationParameters(undefined)).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'valid', valueBoolean: false }] });
  });
});

describe('statistics (pure counting)', () => {
  it('counts valid licenses by type and work state, every license by public status', () => {
    const stats = countLicenses([practitioner, { resourceType: 'Practitioner' }], '2026-06-01');
    expect(stats.active).toBe(1);
    expect([...stats.byProfessionalType]).toEqual([['doctor', 1]]);
    expect([...stats.byState]).toEqual([['NG-LA', 1]]);
    expect(Object.fromEntries(stats.byStatus)).toEqual({ active: 1, suspended: 0, expired: 1, revoked: 0, inactive: 0 });
  });
});
