/**
 * Public views as FHIR Parameters: the answer of $verify-license (one license) and each entry of
 * $registry-search (one professional, every license). Parameters rather than trimmed
 * Practitioners, because the view joins three resources (Practitioner, PractitionerRole, Basic)
 * and a reduced Practitioner would still look like, and be mistaken for, the stored record.
 */
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { PublicDisciplinaryAction, PublicLicense, PublicRecord } from './public-view';

function licenseParts(license: PublicLicense): ParametersParameter[] {
  return [
    { name: 'license-number', valueString: license.number },
    { name: 'valid', valueBoolean: license.valid },
    { name: 'status', valueCode: license.status },
    ...(license.suspendedUntil ? [{ name: 'suspended-until', valueDate: license.suspendedUntil }] : []),
    { name: 'professional-type', valueCoding: license.professionalType },
    ...(license.issued ? [{ name: 'issued', valueDate: license.issued }] : []),
    ...(license.expires ? [{ name: 'expires', valueDate: license.expires }] : []),
  ];
}

function disciplinaryParameter(action: PublicDisciplinaryAction): ParametersParameter {
  return {
    name: 'disciplinary-action',
    part: [
      ...(action.date ? [{ name: 'date', valueDateTime: action.date }] : []),
      ...(action.action ? [{ name: 'action', valueCodeableConcept: action.action }] : []),
      ...(action.summary ? [{ name: 'summary', valueString: action.summary }] : []),
    ],
  };
}

function professionalParameters(record: PublicRecord): ParametersParameter[] {
  return [
    { name: 'name', valueString: record.name },
    ...record.specializations.map((coding) => ({ name: 'specialization', valueCoding: coding })),
    ...(record.state ? [{ name: 'state', valueCoding: record.state }] : []),
  ];
}

/** $verify-license: `valid` alone when the number is unknown. */
export function verificationParameters(found?: { record: PublicRecord; license: PublicLicense }): Parameters {
  if (!found) return { resourceType: 'Parameters', parameter: [{ name: 'valid', valueBoolean: false }] };
  const { record, license } = found;
  const [numberPart, validPart, ...rest] = licenseParts(license);
  return {
    resourceType: 'Parameters',
    parameter: [validPart!, numberPart!, ...rest, ...professionalParameters(record), ...record.disciplinaryActions.map(disciplinaryParameter)],
  };
}

/** One $registry-search entry: the professional, each license as a `license` part group, opted-in contacts. */
export function recordParameters(record: PublicRecord): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      ...professionalParameters(record),
      ...record.licenses.map((license) => ({ name: 'license', part: licenseParts(license) })),
      ...record.telecom.map((contact) => ({ name: 'contact', valueContactPoint: contact })),
    ],
  };
}
