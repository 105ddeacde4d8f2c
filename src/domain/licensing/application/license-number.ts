/**
 * License numbers `{PREFIX}-{TYPE}-{YYYY}-{NNNNN}` (issue 7 point 5): TYPE is the `license-type`
 * property of the professional type in our professional-type CodeSystem; the sequence runs per
 * type and year (a "series"), from 00001.
 */
import type { CodeSystem } from '@medplum/fhirtypes';
import { localTerminology } from '../../../terminology/local-terminology';
import { PROFESSIONAL_TYPE_SYSTEM } from '../license';

export const MAX_SEQUENCE = 99_999;

/** The series a number belongs to: one sequence per license type and year. */
export function licenseSeries(licenseType: string, year: number): string {
  return `${licenseType}-${year}`;
}

export function formatLicenseNumber(prefix: string, licenseType: string, year: number, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE) throw new RangeError(`license sequence ${sequence} is outside 1..${MAX_SEQUENCE}`);
  return `${prefix}-${licenseType}-${year}-${String(sequence).padStart(5, '0')}`;
}

export interface ProfessionalType {
  code: string;
  display?: string;
  /** DOC, PHARM, NURSE… */
  licenseType: string;
}

/** The professional types of a CodeSystem that carry a `license-type`. */
export function professionalTypesIn(codeSystem: CodeSystem): Map<string, ProfessionalType> {
  const types = new Map<string, ProfessionalType>();
  for (const concept of codeSystem.concept ?? []) {
    const property = concept.property?.find((p) => p.code === 'license-type');
    const licenseType = property?.valueCode ?? property?.valueString;
    if (concept.code && licenseType) types.set(concept.code, { code: concept.code, licenseType, ...(concept.display ? { display: concept.display } : {}) });
  }
  return types;
}

let cached: Map<string, ProfessionalType> | undefined;

/** The professional type `code` of terminology/CodeSystem-professional-type.json, if it is one. */
export function professionalType(code: string): ProfessionalType | undefined {
  if (!cached) {
    const codeSystem = localTerminology().resources.find((r) => r.resourceType === 'CodeSystem' && r.url === PROFESSIONAL_TYPE_SYSTEM) as CodeSystem | undefined;
    cached = codeSystem ? professionalTypesIn(codeSystem) : new Map();
  }
  return cached.get(code);
}
