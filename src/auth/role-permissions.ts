/**
 * What each clinic and registry role may do, by resource type (issue 5, DESIGN.md §8). "Reach"
 * says whose data: everyone's, only the patients a clinician is assigned to
 * (`Patient.generalPractitioner`, or a CareTeam they belong to), only the patient's own, or only
 * records about no patient at all (the registry's documents and tasks, never clinical ones), or
 * only what belongs to the caller's own Practitioner (`self`: a license applicant's records).
 * Reach limits only types in the Patient compartment (other types have no patient to limit by),
 * except `self`, which limits every type it names.
 * A token's scopes can only narrow this further (access-policy.ts).
 */
import type { ScopeAction } from './scopes';
import type { Role } from './auth-context';

/** `self`: only what belongs to the caller's own Practitioner (an applicant's), whatever the type. */
export type Reach = 'all' | 'assigned' | 'own' | 'not-patient' | 'self';

/**
 * A condition on the state of what is created or updated (both the stored and the new version):
 * `application-draft`: Tasks only in status draft (an applicant never moves an application on by
 * PUT/PATCH; the registry's operations do); `application-not-draft`: a license application in
 * draft belongs to its applicant alone; `unlicensed`: a Practitioner neither active nor licensed
 * (the license and activation come only from $approve).
 */
export type WriteState = 'application-draft' | 'application-not-draft' | 'unlicensed';
/** The one type each WriteState is about (other types are not limited by it). */
export const WRITE_STATE_TYPE: Record<WriteState, string> = { 'application-draft': 'Task', 'application-not-draft': 'Task', unlicensed: 'Practitioner' };

export interface RoleRule {
  types: ReadonlySet<string> | '*';
  actions: ReadonlySet<ScopeAction>;
  reach: Reach;
  writeState?: WriteState;
}

const set = (...types: string[]) => new Set(types);
const actions = (letters: string) => new Set([...letters] as ScopeAction[]);

/** Definitions anyone signed in may read: terminology and conformance. */
export const DEFINITION_TYPES = set(
  'CodeSystem', 'ValueSet', 'ConceptMap', 'NamingSystem', 'StructureDefinition', 'SearchParameter', 'OperationDefinition',
  'CompartmentDefinition', 'CapabilityStatement', 'ImplementationGuide', 'Questionnaire', 'ActivityDefinition', 'PlanDefinition', 'Library',
);
/** Who and where care is given, and what medicines exist: readable by every staff role and patients. */
const DIRECTORY_TYPES = set(
  'Practitioner', 'PractitionerRole', 'Organization', 'OrganizationAffiliation', 'Location', 'HealthcareService', 'Endpoint',
  'Medication', 'MedicationKnowledge', 'Substance', 'Schedule', 'Slot',
);
const REGISTRY_TYPES = set('Practitioner', 'PractitionerRole', 'Organization', 'Location', 'Endpoint', 'Task', 'DocumentReference', 'Binary', 'VerificationResult', 'Basic', 'Provenance', 'Communication');
const MEDICATION_TYPES = set('Medication', 'MedicationKnowledge', 'Substance');
const SCHEDULING_TYPES = set('Patient', 'RelatedPerson', 'Appointment', 'AppointmentResponse', 'Schedule', 'Slot', 'Coverage');
const PATIENT_WRITABLE_TYPES = set('Appointment', 'Communication', 'QuestionnaireResponse');

/**
 * The notices addressed to one's own Practitioner (Communication.recipient: the registry's
 * license notices), for roles that reach no Communication otherwise; doctors and nurses reach
 * them through their `assigned` rule (access-policy.ts: the addressee of a patients limit).
 */
const NOTICES: RoleRule = { types: new Set(['Communication']), actions: new Set(['r', 's'] as ScopeAction[]), reach: 'self' };

/** Audit trails are the admin's alone: a clinician or patient does not read who looked at what. */
const ADMIN_ONLY_TYPES = set('AuditEvent');

function withoutAdminOnly(types: ReadonlySet<string>): ReadonlySet<string> {
  return new Set([...types].filter((t) => !ADMIN_ONLY_TYPES.has(t)));
}

/** The rules of every role; `patientTypes` are the types of the R4 Patient compartment (Patient included). */
export function roleRules(patientTypes: ReadonlySet<string>): Record<Role, RoleRule[]> {
  const clinical = withoutAdminOnly(patientTypes);
  const readable = (extra: ReadonlySet<string> = new Set()) => ({ types: new Set([...DEFINITION_TYPES, ...DIRECTORY_TYPES, ...extra]), actions: actions('rs'), reach: 'all' as const });
  return {
    admin: [{ types: '*', actions: actions('cruds'), reach: 'all' }],
    'registry-admin': [{ types: REGISTRY_TYPES, actions: actions('cruds'), reach: 'not-patient', writeState: 'application-not-draft' }, readable()],
    doctor: [{ types: clinical, actions: actions('crus'), reach: 'assigned' }, readable()],
    nurse: [
      { types: new Set([...clinical].filter((t) => t !== 'MedicationRequest')), actions: actions('crus'), reach: 'assigned' },
      { types: set('MedicationRequest'), actions: actions('rs'), reach: 'assigned' },
      readable(),
    ],
    pharmacist: [
      { types: set('MedicationRequest', 'Patient', 'AllergyIntolerance'), actions: actions('rs'), reach: 'all' },
      { types: set('MedicationDispense', ...MEDICATION_TYPES), actions: actions('crus'), reach: 'all' },
      NOTICES,
      readable(),
    ],
    clerk: [{ types: SCHEDULING_TYPES, actions: actions('crus'), reach: 'all' }, NOTICES, readable()],
    patient: [
      { types: clinical, actions: actions('rs'), reach: 'own' },
      { types: PATIENT_WRITABLE_TYPES, actions: actions('cu'), reach: 'own' },
      readable(),
    ],
    // Its own Practitioner, applications (Task.focus) and documents (DocumentReference.subject,
    // Binary.securityContext); Binaries are read through their securityContext. No patient data.
    // Documents are never changed once uploaded (an officer may have verified them): a new one is added.
    applicant: [
      { types: set('Practitioner', 'Task', 'DocumentReference', 'Communication'), actions: actions('rs'), reach: 'self' },
      { types: set('Practitioner'), actions: actions('u'), reach: 'self', writeState: 'unlicensed' },
      { types: set('Task'), actions: actions('cu'), reach: 'self', writeState: 'application-draft' },
      { types: set('DocumentReference', 'Binary'), actions: actions('c'), reach: 'self' },
      { types: DEFINITION_TYPES, actions: actions('rs'), reach: 'all' },
    ],
  };
}

/** What an anonymous caller may reach inside the public routes (auth/public-routes.ts). */
export const ANONYMOUS_READABLE = DEFINITION_TYPES;
