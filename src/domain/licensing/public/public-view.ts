/**
 * The public view of a registered professional: what the public registry may show, built from the
 * stored Practitioner, its PractitionerRoles and its disciplinary actions. Everything else stays
 * out by construction (this module copies chosen fields, it never strips a stored resource):
 * no identifiers but license numbers, no birth date, no home address or address lines, contact
 * points only where the professional opted in, disciplinary actions only where marked public.
 */
import type { Basic, CodeableConcept, Coding, ContactPoint, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { LicenseStatus } from '../license';
import { DISCIPLINARY_ACTION_PROFILE, JURISDICTION_SYSTEM, PROFESSIONAL_TYPE_SYSTEM, REGISTRY_RECORD_SYSTEM, SPECIALTY_SYSTEM, isValidOn, licensesOf } from '../license';
import { codingOf } from './reference-lists';

const BASE = 'https://baobab.health/fhir/StructureDefinition';
/** On a Practitioner.telecom: true when the professional agreed to show it in the public registry. */
export const PUBLIC_CONTACT_EXTENSION = `${BASE}/registry-public-contact`;
export const DISCIPLINARY_PUBLIC_EXTENSION = `${BASE}/disciplinary-public`;
export const DISCIPLINARY_SUMMARY_EXTENSION = `${BASE}/disciplinary-summary`;
export const DISCIPLINARY_TYPE_EXTENSION = `${BASE}/disciplinary-action-type`;

export interface PublicLicense {
  number: string;
  professionalType: Coding;
  /** The status the public sees: an active license past its end date is shown as expired. */
  status: LicenseStatus;
  valid: boolean;
  issued?: string;
  expires?: string;
  /** While suspended: the suspension's last day, when the officer gave one. */
  suspendedUntil?: string;
}

export interface PublicDisciplinaryAction {
  date?: string;
  action?: CodeableConcept;
  summary?: string;
}

export interface PublicRecord {
  name: string;
  state?: Coding;
  specializations: Coding[];
  licenses: PublicLicense[];
  telecom: ContactPoint[];
  disciplinaryActions: PublicDisciplinaryAction[];
}

/** The name shown: the official one (else usual, else the first), as text. */
export function displayName(practitioner: Practitioner): string {
  const names = practitioner.name ?? [];
  const name = names.find((n) => n.use === 'official') ?? names.find((n) => n.use === 'usual') ?? names[0];
  if (!name) return '';
  if (name.text) return name.text;
  return [...(name.prefix ?? []), ...(name.given ?? []), name.family, ...(name.suffix ?? [])].filter((part): part is string => !!part).join(' ');
}

export function publicLicenses(practitioner: Practitioner, today: string): PublicLicense[] {
  return licensesOf(practitioner).map((license) => {
    const lapsed = license.status === 'active' && !!license.end && license.end < today;
    return {
      number: license.number,
      professionalType: codingOf(PROFESSIONAL_TYPE_SYSTEM, license.professionalType),
      status: lapsed ? 'expired' : license.status,
      valid: isValidOn(license, today),
      ...(license.start ? { issued: license.start } : {}),
      ...(license.end ? { expires: license.end } : {}),
      ...(license.status === 'suspended' && license.suspendedUntil ? { suspendedUntil: license.suspendedUntil } : {}),
    };
  });
}

/** The state of practice: the state of the work address (a home address is never shown). */
export function practiceState(practitioner: Practitioner): Coding | undefined {
  const state = practitioner.address?.find((a) => a.use === 'work' && a.state)?.state;
  return state ? codingOf(JURISDICTION_SYSTEM, state) : undefined;
}

export function publicTelecom(practitioner: Practitioner): ContactPoint[] {
  return (practitioner.telecom ?? [])
    .filter((t) => t.value && t.extension?.some((e) => e.url === PUBLIC_CONTACT_EXTENSION && e.valueBoolean === true))
    .map((t) => ({ ...(t.system ? { system: t.system } : {}), value: t.value!, ...(t.use ? { use: t.use } : {}) }));
}

export function specializationsOf(roles: readonly PractitionerRole[]): Coding[] {
  const seen = new Set<string>();
  const out: Coding[] = [];
  for (const role of roles) {
    if (role.active === false) continue;
    for (const coding of (role.specialty ?? []).flatMap((s) => s.coding ?? [])) {
      if (coding.system !== SPECIALTY_SYSTEM || !coding.code || seen.has(coding.code)) continue;
      seen.add(coding.code);
      out.push(codingOf(SPECIALTY_SYSTEM, coding.code));
    }
  }
  return out;
}

function extension(basic: Basic, url: string) {
  return basic.extension?.find((e) => e.url === url);
}

export function isDisciplinaryAction(basic: Basic): boolean {
  const coded = basic.code?.coding?.some((c) => c.system === REGISTRY_RECORD_SYSTEM && c.code === 'disciplinary-action') ?? false;
  return coded || (basic.meta?.profile ?? []).includes(DISCIPLINARY_ACTION_PROFILE);
}

/** Only actions explicitly marked public (a missing flag means private), newest first. */
export function publicDisciplinaryActions(actions: readonly Basic[]): PublicDisciplinaryAction[] {
  return actions
    .filter((basic) => isDisciplinaryAction(basic) && extension(basic, DISCIPLINARY_PUBLIC_EXTENSION)?.valueBoolean === true)
    .map((basic) => {
      const type = extension(basic, DISCIPLINARY_TYPE_EXTENSION)?.valueCodeableConcept;
      const summary = extension(basic, DISCIPLINARY_SUMMARY_EXTENSION)?.valueString;
      const action: CodeableConcept | undefined = type
        ? {
            ...(type.coding ? { coding: type.coding.map((c) => ({ ...(c.system ? { system: c.system } : {}), ...(c.code ? { code: c.code } : {}), ...(c.display ? { display: c.display } : {}) })) } : {}),
            ...(type.text ? { text: type.text } : {}),
          }
        : undefined;
      return { ...(basic.created ? { date: basic.created } : {}), ...(action ? { action } : {}), ...(summary ? { summary } : {}) };
    })
    .sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''));
}

export function publicRecord(practitioner: Practitioner, roles: readonly PractitionerRole[], actions: readonly Basic[], today: string): PublicRecord {
  const state = practiceState(practitioner);
  return {
    name: displayName(practitioner),
    ...(state ? { state } : {}),
    specializations: specializationsOf(roles),
    licenses: publicLicenses(practitioner, today),
    telecom: publicTelecom(practitioner),
    disciplinaryActions: publicDisciplinaryActions(actions),
  };
}
