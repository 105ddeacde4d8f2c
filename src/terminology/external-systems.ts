/**
 * LOINC, SNOMED CT, ICD-10 and RxNorm are licensed and not held here: a code of theirs is checked
 * for its system URI and its format (check digits where the system has them), and for membership
 * only when a complete copy of the CodeSystem is loaded on the server (the resolver then finds it
 * first). Well-known wrong URIs (OIDs, typos) are named with the right one.
 */

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
export const ICD10_CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

/** URIs seen in the wild for these systems, and the one FHIR R4 defines (terminologies-systems.html). */
const ALIASES: Record<string, string> = {
  'urn:oid:2.16.840.1.113883.6.1': LOINC,
  'https://loinc.org': LOINC,
  'http://loinc.org/': LOINC,
  'loinc': LOINC,
  'urn:oid:2.16.840.1.113883.6.96': SNOMED,
  'https://snomed.info/sct': SNOMED,
  'http://snomed.info/sct/': SNOMED,
  'urn:oid:2.16.840.1.113883.6.3': ICD10,
  'http://hl7.org/fhir/sid/icd10': ICD10,
  'urn:oid:2.16.840.1.113883.6.90': ICD10_CM,
  'http://hl7.org/fhir/sid/icd10-cm': ICD10_CM,
  'urn:oid:2.16.840.1.113883.6.88': RXNORM,
  'http://www.nlm.nih.gov/research/umls/rxnorm/': RXNORM,
};

export interface FormatCheck {
  valid: boolean;
  message?: string;
}

/** LOINC's check digit: the Luhn (mod 10) digit of the code's body. */
function loincCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** SNOMED CT identifiers end in a Verhoeff check digit (the whole number, check digit included, checks to 0). */
function verhoeffValid(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![Number(digits[digits.length - 1 - i])]!]!;
  return c === 0;
}

/** SNOMED partition identifiers (the two digits before the check digit): concepts, descriptions, relationships, short and long form. */
const SNOMED_PARTITIONS = new Set(['00', '01', '02', '10', '11', '12']);

const bad = (message: string): FormatCheck => ({ valid: false, message });

/** The FHIR URI for a known wrong spelling of one of these systems, if `system` is one. */
export function correctSystem(system: string): string | undefined {
  return ALIASES[system] ?? ALIASES[system.toLowerCase()];
}

export function isExternalSystem(system: string): boolean {
  return [LOINC, SNOMED, ICD10, ICD10_CM, RXNORM].includes(system);
}

/** The format check of `code` in `system`, or undefined when `system` is not one of these. */
export function checkExternalFormat(system: string, code: string): FormatCheck | undefined {
  const right = correctSystem(system);
  if (right) return bad(`'${system}' is not the FHIR URI of this code system; use '${right}'`);
  switch (system) {
    case LOINC: {
      const match = /^(\d{1,7})-(\d)$/.exec(code);
      if (!match) return bad(`'${code.slice(0, 60)}' is not a LOINC code (digits, a hyphen and a check digit, e.g. 8302-2)`);
      return loincCheckDigit(match[1]!) === Number(match[2]) ? { valid: true } : bad(`'${code}' has a wrong LOINC check digit`);
    }
    case SNOMED:
      if (!/^[1-9]\d{5,17}$/.test(code)) return bad(`'${code.slice(0, 60)}' is not a SNOMED CT identifier (6 to 18 digits)`);
      if (!SNOMED_PARTITIONS.has(code.slice(-3, -1))) return bad(`'${code}' has an unknown SNOMED CT partition identifier`);
      return verhoeffValid(code) ? { valid: true } : bad(`'${code}' has a wrong SNOMED CT check digit`);
    case ICD10:
      return /^[A-Z]\d{2}(\.\d{1,2})?$/.test(code) ? { valid: true } : bad(`'${code.slice(0, 60)}' is not an ICD-10 code (a letter, two digits, optionally a dot and one or two digits, e.g. J45.9)`);
    case ICD10_CM:
      return /^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$/.test(code) ? { valid: true } : bad(`'${code.slice(0, 60)}' is not an ICD-10-CM code (e.g. E11.65)`);
    case RXNORM:
      return /^[1-9]\d{0,8}$/.test(code) ? { valid: true } : bad(`'${code.slice(0, 60)}' is not an RxNorm concept id (digits)`);
    default:
      return undefined;
  }
}
