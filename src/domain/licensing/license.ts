/**
 * The national registry's data model (issue 7, DESIGN.md §9), shared by the application workflow,
 * the license lifecycle and the public registry. A license is a `Practitioner.qualification`
 * (profile registry-practitioner): identifier in the license-number system, code = professional
 * type, period, issuer = the registry Organization, status in the license-status extension.
 * The specialisation lives on a PractitionerRole of the registry Organization (`specialty`), the
 * state of practice on the Practitioner's work address (`address.state`, an ISO 3166-2 code).
 */
import type { Practitioner, PractitionerQualification } from '@medplum/fhirtypes';

const BASE = 'https://baobab.health/fhir';

export const LICENSE_NUMBER_SYSTEM = `${BASE}/sid/license-number`;
export const PROFESSIONAL_TYPE_SYSTEM = `${BASE}/CodeSystem/professional-type`;
export const SPECIALTY_SYSTEM = `${BASE}/CodeSystem/specialty`;
export const DOCUMENT_TYPE_SYSTEM = `${BASE}/CodeSystem/document-type`;
export const APPLICATION_INPUT_SYSTEM = `${BASE}/CodeSystem/application-input`;
export const REGISTRY_TASK_SYSTEM = `${BASE}/CodeSystem/registry-task`;
export const REGISTRY_RECORD_SYSTEM = `${BASE}/CodeSystem/registry-record`;
export const DISCIPLINARY_ACTION_TYPE_SYSTEM = `${BASE}/CodeSystem/disciplinary-action-type`;
export const JURISDICTION_SYSTEM = 'urn:iso:std:iso:3166:-2';
export const LICENSE_STATUS_EXTENSION = `${BASE}/StructureDefinition/license-status`;
/** The last day of a suspension that has one (valueDate); only while suspended. */
export const LICENSE_SUSPENDED_UNTIL_EXTENSION = `${BASE}/StructureDefinition/license-suspended-until`;

export const REGISTRY_PRACTITIONER_PROFILE = `${BASE}/StructureDefinition/registry-practitioner`;
export const LICENSE_APPLICATION_PROFILE = `${BASE}/StructureDefinition/license-application`;
export const DISCIPLINARY_ACTION_PROFILE = `${BASE}/StructureDefinition/disciplinary-action`;

/** The id of the registry's own Organization, the issuer of every license (created by the first $verify or $approve). */
export const REGISTRY_ORGANIZATION_ID = 'registry';
export const REGISTRY_ORGANIZATION_REFERENCE = `Organization/${REGISTRY_ORGANIZATION_ID}`;

export const LICENSE_STATUSES = ['active', 'suspended', 'expired', 'revoked', 'inactive'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

export interface License {
  number: string;
  /** A code of the professional-type CodeSystem (`doctor`, `pharmacist`…). */
  professionalType: string;
  status: LicenseStatus;
  /** Dates (YYYY-MM-DD). */
  start: string;
  end?: string;
  issuer?: string;
  /** While suspended: the suspension's last day, when it has one. */
  suspendedUntil?: string;
  /** Where it sits in `Practitioner.qualification`. */
  index: number;
}

export interface LicenseInput {
  number: string;
  professionalType: string;
  professionalTypeDisplay?: string;
  start: string;
  end: string;
  status: LicenseStatus;
}

/** A new license as a qualification of the registry-practitioner profile. */
export function licenseQualification(input: LicenseInput): PractitionerQualification {
  return {
    extension: [{ url: LICENSE_STATUS_EXTENSION, valueCode: input.status }],
    identifier: [{ system: LICENSE_NUMBER_SYSTEM, value: input.number }],
    code: {
      coding: [{ system: PROFESSIONAL_TYPE_SYSTEM, code: input.professionalType, ...(input.professionalTypeDisplay ? { display: input.professionalTypeDisplay } : {}) }],
    },
    period: { start: input.start, end: input.end },
    issuer: { reference: REGISTRY_ORGANIZATION_REFERENCE },
  };
}

function isLicenseStatus(value: unknown): value is LicenseStatus {
  return typeof value === 'string' && (LICENSE_STATUSES as readonly string[]).includes(value);
}

/** Every license the registry issued to this Practitioner (qualifications with a license number). */
export function licensesOf(practitioner: Practitioner): License[] {
  const licenses: License[] = [];
  (practitioner.qualification ?? []).forEach((q, index) => {
    const number = q.identifier?.find((i) => i.system === LICENSE_NUMBER_SYSTEM)?.value;
    if (!number) return;
    const status = q.extension?.find((e) => e.url === LICENSE_STATUS_EXTENSION)?.valueCode;
    const suspendedUntil = q.extension?.find((e) => e.url === LICENSE_SUSPENDED_UNTIL_EXTENSION)?.valueDate;
    const professionalType = q.code?.coding?.find((c) => c.system === PROFESSIONAL_TYPE_SYSTEM)?.code ?? '';
    licenses.push({
      number,
      professionalType,
      status: isLicenseStatus(status) ? status : 'inactive',
      start: q.period?.start ?? '',
      ...(q.period?.end ? { end: q.period.end } : {}),
      ...(q.issuer?.reference ? { issuer: q.issuer.reference } : {}),
      ...(suspendedUntil ? { suspendedUntil } : {}),
      index,
    });
  });
  return licenses;
}

export function findLicense(practitioner: Practitioner, number: string): License | undefined {
  return licensesOf(practitioner).find((l) => l.number === number);
}

export interface LicenseUpdate {
  status?: LicenseStatus;
  start?: string;
  end?: string;
  /** With status `suspended`: the suspension's last day. Any other status drops it. */
  suspendedUntil?: string;
}

/** A copy of the Practitioner with one license's status (and optionally period) changed. */
export function withLicense(practitioner: Practitioner, number: string, change: LicenseUpdate): Practitioner {
  const license = findLicense(practitioner, number);
  if (!license) throw new Error(`Practitioner has no license ${number}`);
  const status = change.status ?? license.status;
  const until = status === 'suspended' ? (change.suspendedUntil ?? license.suspendedUntil) : undefined;
  const qualification = (practitioner.qualification ?? []).map((q, i) => {
    if (i !== license.index) return q;
    const extension = (q.extension ?? []).filter((e) => e.url !== LICENSE_STATUS_EXTENSION && e.url !== LICENSE_SUSPENDED_UNTIL_EXTENSION);
    return {
      ...q,
      extension: [
        { url: LICENSE_STATUS_EXTENSION, valueCode: status },
        ...(until ? [{ url: LICENSE_SUSPENDED_UNTIL_EXTENSION, valueDate: until }] : []),
        ...extension,
      ],
      period: { ...q.period, ...(change.start ? { start: change.start } : {}), ...(change.end ? { end: change.end } : {}) },
    };
  });
  return { ...practitioner, qualification };
}

/** Valid on `today` (YYYY-MM-DD): active, started, and not past its end date. */
export function isValidOn(license: License, today: string): boolean {
  return license.status === 'active' && license.start !== '' && license.start <= today && (!license.end || today <= license.end);
}

/** Today as YYYY-MM-DD in UTC (the registry's calendar). */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
