/**
 * The public shape of the loaded FHIR R4 definitions (DESIGN.md §1, Definitions row).
 */
import type {
  CompartmentDefinition,
  OperationDefinition,
  SearchParameter,
  StructureDefinition,
} from '@medplum/fhirtypes';
import type { ProfileResources } from './profiles';

/** One element of a StructureDefinition snapshot, reduced to what the server needs. */
export interface ElementInfo {
  /** The element path as written in the snapshot, e.g. `Observation.value[x]`. */
  readonly path: string;
  /** The last path segment, e.g. `value[x]`. */
  readonly name: string;
  /** For a choice element (`value[x]`): the JSON property prefix (`value`). */
  readonly choiceBase?: string;
  readonly min: number;
  readonly max: string;
  readonly isSummary: boolean;
  readonly isModifier: boolean;
  /** FHIR type codes (`Quantity`, `string`, `BackboneElement`…); empty for a contentReference. */
  readonly typeCodes: readonly string[];
  /**
   * The path whose children describe this element's children, when the resource's own
   * StructureDefinition defines them (a BackboneElement, or a contentReference such as
   * `Questionnaire.item.item` → `Questionnaire.item`). Undefined for datatype values.
   */
  readonly childrenPath?: string;
}

export interface FhirDefinitions {
  /** The 146 concrete R4 resource types, sorted. */
  readonly resourceTypes: readonly string[];
  isResourceType(type: string): boolean;
  /** R4 resource and datatype StructureDefinitions (abstract ones included), cleaned. */
  readonly structureDefinitions: readonly StructureDefinition[];
  /** By canonical URL, or by id/type name (`Patient`, `Quantity`, `SimpleQuantity`). */
  getStructureDefinition(typeOrUrl: string): StructureDefinition | undefined;
  /** The 1,375 R4 core SearchParameters (1,372 with an expression, 3 without). */
  readonly searchParameters: readonly SearchParameter[];
  /** The R4 Patient, Encounter, RelatedPerson, Practitioner and Device compartments. */
  readonly compartmentDefinitions: readonly CompartmentDefinition[];
  /** The 46 standard R4 OperationDefinitions. */
  readonly operationDefinitions: readonly OperationDefinition[];
  /** Ours, from `profiles/`: searched, served and seeded beside the R4 ones. */
  readonly profiles: ProfileResources;
  /** Snapshot paths flagged isSummary in the type's StructureDefinition (empty if unknown). */
  summaryPaths(type: string): ReadonlySet<string>;
  /** Top-level element names (`status`, `value[x]`) with min >= 1 (empty if unknown). */
  mandatoryTopLevel(type: string): readonly string[];
  /** The element at a snapshot path (`Patient.contact.name`), if any. */
  getElement(path: string): ElementInfo | undefined;
  /** The direct child elements of a type (`Patient`) or of a backbone path (`Patient.contact`). */
  childElements(path: string): readonly ElementInfo[];
  /**
   * The element a JSON property belongs to, under a type or backbone path: `valueQuantity`
   * → `Observation.value[x]`, `_birthDate` → `Patient.birthDate`. Undefined when unknown.
   */
  resolveProperty(parentPath: string, jsonKey: string): ElementInfo | undefined;
}
