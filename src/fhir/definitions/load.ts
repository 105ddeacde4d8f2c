/**
 * Loads the FHIR R4 definitions once per process: Medplum's R4 bundles, cleaned of Medplum's
 * changes (medplum-additions.ts), with the HL7 originals from hl7-overrides/ where Medplum
 * restructured a StructureDefinition.
 */
import type {
  CompartmentDefinition,
  OperationDefinition,
  Resource,
  SearchParameter,
  StructureDefinition,
} from '@medplum/fhirtypes';
import { cleanOperationDefinition, cleanSearchParameter, cleanStructureDefinition } from './clean';
import { ElementModel } from './element-model';
import { HL7_OVERRIDE_FILES, MEDPLUM_RESOURCE_TYPES } from './medplum-additions';
import { readProfiles } from './profiles';
import { withSnapshot } from './snapshot';
import { readHl7Override, readMedplumBundle } from './source';
import type { FhirDefinitions } from './types';

function structureDefinitions(resources: readonly Resource[]): StructureDefinition[] {
  const result: StructureDefinition[] = [];
  for (const r of resources) {
    if (r.resourceType !== 'StructureDefinition' || MEDPLUM_RESOURCE_TYPES.has(r.type)) continue;
    const override = HL7_OVERRIDE_FILES[r.type];
    result.push(override ? readHl7Override(override) : cleanStructureDefinition(r));
  }
  return result;
}

function isConcreteResource(sd: StructureDefinition): boolean {
  return sd.kind === 'resource' && sd.derivation === 'specialization' && sd.abstract !== true;
}

function build(): FhirDefinitions {
  const resourceBundle = readMedplumBundle('profiles-resources.json');
  const sds = [...structureDefinitions(resourceBundle), ...structureDefinitions(readMedplumBundle('profiles-types.json'))];

  const searchParameters: SearchParameter[] = [];
  for (const r of readMedplumBundle('search-parameters.json')) {
    const sp = r.resourceType === 'SearchParameter' ? cleanSearchParameter(r) : undefined;
    if (sp) searchParameters.push(sp);
  }
  const compartmentDefinitions: CompartmentDefinition[] = [];
  const operationDefinitions: OperationDefinition[] = [];
  for (const r of resourceBundle) {
    if (r.resourceType === 'CompartmentDefinition') compartmentDefinitions.push(r);
    else if (r.resourceType === 'OperationDefinition') operationDefinitions.push(cleanOperationDefinition(r));
  }

  const byUrl = new Map<string, StructureDefinition>();
  const byName = new Map<string, StructureDefinition>();
  for (const sd of sds) {
    byUrl.set(sd.url, sd);
    if (sd.id) byName.set(sd.id, sd);
  }
  // Ours (profiles/) carry differentials; their snapshots are generated from the R4 base.
  const ours = readProfiles();
  const profiles = { ...ours, structureDefinitions: ours.structureDefinitions.map((sd) => withSnapshot(sd, byUrl.get(sd.baseDefinition ?? ''))) };
  const resourceTypes = sds.filter(isConcreteResource).map((sd) => sd.type).sort();
  const resourceTypeSet = new Set(resourceTypes);
  const model = new ElementModel((type) => byName.get(type));

  return {
    resourceTypes,
    isResourceType: (type) => resourceTypeSet.has(type),
    structureDefinitions: sds,
    getStructureDefinition: (typeOrUrl) => byUrl.get(typeOrUrl) ?? byName.get(typeOrUrl),
    searchParameters,
    compartmentDefinitions,
    operationDefinitions,
    profiles,
    summaryPaths: (type) => model.summaryPaths(type),
    mandatoryTopLevel: (type) => model.mandatoryTopLevel(type),
    getElement: (path) => model.getElement(path),
    childElements: (path) => model.childElements(path),
    resolveProperty: (parentPath, jsonKey) => model.resolveProperty(parentPath, jsonKey),
  };
}

let loaded: FhirDefinitions | undefined;

/** The R4 definitions, loaded synchronously on first call and shared by the whole process. */
export function loadDefinitions(): FhirDefinitions {
  loaded ??= build();
  return loaded;
}
