/** FHIR R4 definitions: resource types, StructureDefinitions, SearchParameters, compartments, operations. */
export { loadDefinitions } from './load';
export type { ElementInfo, FhirDefinitions } from './types';
