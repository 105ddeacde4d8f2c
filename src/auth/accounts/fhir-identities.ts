/**
 * The FHIR side of accounts: checking that a `fhirUser` exists, the patient a patient account
 * stands for, and the Patient a self-registered patient gets when its email is verified. Goes
 * through the ResourceService like every other read and write. A license applicant gets an
 * inactive Practitioner the same way.
 */
import type { Patient, Practitioner, RelatedPerson, Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../../store/fhir-store';

/** The identity types an account can be linked to. */
export const FHIR_USER_TYPES = ['Patient', 'Practitioner', 'RelatedPerson'] as const;
export type FhirUserType = (typeof FHIR_USER_TYPES)[number];

const REFERENCE = /^(Patient|Practitioner|RelatedPerson)\/([A-Za-z0-9\-.]{1,64})$/;

/** `Patient/123` → its type and id, or undefined when it is not a fhirUser reference. */
export function parseFhirUser(reference: string): { type: FhirUserType; id: string } | undefined {
  const match = REFERENCE.exec(reference);
  return match ? { type: match[1] as FhirUserType, id: match[2]! } : undefined;
}

export interface FhirIdentities {
  /** Whether the resource exists (and is not deleted). */
  exists(reference: string): Promise<boolean>;
  /** The Patient id a fhirUser acts for: itself for a Patient, `RelatedPerson.patient` for a RelatedPerson. */
  patientOf(reference: string): Promise<string | undefined>;
  /** Creates the Patient of a self-registered account; its reference (`Patient/<id>`). */
  createPatient(details: { email: string; name?: string }): Promise<string>;
  /** Creates the inactive Practitioner of a license applicant (issue 7); its reference. */
  createPractitioner(details: { email: string; name?: string }): Promise<string>;
}

/** What this needs of the ResourceService. */
export interface ResourceAccess {
  read(type: string, id: string): Promise<StoredVersion & { resource: Resource }>;
  create(type: string, body: unknown): Promise<StoredVersion>;
}

export function fhirIdentities(resources: ResourceAccess): FhirIdentities {
  const read = async (reference: string): Promise<Resource | undefined> => {
    const parsed = parseFhirUser(reference);
    if (!parsed) return undefined;
    // Unknown (404) and deleted (410) both mean "no such identity"; other failures are real errors.
    try {
      return (await resources.read(parsed.type, parsed.id)).resource;
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404 || status === 410) return undefined;
      throw err;
    }
  };
  return {
    async exists(reference) {
      return (await read(reference)) !== undefined;
    },
    async patientOf(reference) {
      const parsed = parseFhirUser(reference);
      if (parsed?.type === 'Patient') return parsed.id;
      if (parsed?.type !== 'RelatedPerson') return undefined;
      const person = (await read(reference)) as RelatedPerson | undefined;
      const match = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(person?.patient?.reference ?? '');
      return match?.[1];
    },
    async createPatient({ email, name }) {
      const patient: Patient = { resourceType: 'Patient', active: true, telecom: [{ system: 'email', value: email, use: 'home' }] };
      if (name) patient.name = [{ text: name }];
      const stored = await resources.create('Patient', patient);
      return `Patient/${stored.id}`;
    },
    async createPractitioner({ email, name }) {
      // Inactive until the registry approves a license ($approve activates it).
      const practitioner: Practitioner = { resourceType: 'Practitioner', active: false, telecom: [{ system: 'email', value: email, use: 'work' }] };
      if (name) practitioner.name = [{ text: name }];
      const stored = await resources.create('Practitioner', practitioner);
      return `Practitioner/${stored.id}`;
    },
  };
}
