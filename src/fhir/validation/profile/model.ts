/**
 * A StructureDefinition snapshot compiled once into a tree the validator walks: elements by
 * parent, slices under their slicing root, and the rules each element carries.
 */
import type { ElementDefinition, ElementDefinitionConstraint, ElementDefinitionSlicingDiscriminator } from '@medplum/fhirtypes';

export interface CompiledConstraint {
  readonly key: string;
  readonly severity: 'error' | 'warning';
  readonly human: string;
  readonly expression: string;
}

export interface CompiledBinding {
  readonly strength: 'required' | 'extensible';
  readonly valueSet: string;
}

export interface CompiledSlicing {
  readonly discriminators: readonly ElementDefinitionSlicingDiscriminator[];
  readonly rules: 'closed' | 'open' | 'openAtEnd';
}

export interface CompiledElement {
  /** The snapshot path, e.g. `Patient.contact.name`. */
  readonly path: string;
  /** The last segment (`value[x]`). */
  readonly name: string;
  /** For a choice element, the JSON prefix (`value`). */
  readonly choiceBase?: string;
  /** For a choice element, its JSON properties and their types (`valueQuantity` → `Quantity`). */
  readonly choiceTypes?: ReadonlyMap<string, string>;
  readonly sliceName?: string;
  readonly min: number;
  /** Infinity for `*`. */
  readonly max: number;
  readonly maxText: string;
  /** FHIR type codes (`Quantity`, `string`, `BackboneElement`, `Resource`…). */
  readonly types: readonly string[];
  /** Profiles the type must conform to (for `Extension`: the extension definition). */
  readonly typeProfiles: readonly string[];
  /** `fixedX` / `patternX` value, with the JSON property name it came from. */
  readonly fixed?: unknown;
  readonly pattern?: unknown;
  readonly binding?: CompiledBinding;
  readonly constraints: readonly CompiledConstraint[];
  /** The path the content is defined by (`contentReference`), if any. */
  readonly contentReference?: string;
  readonly children: CompiledElement[];
  readonly slicing?: CompiledSlicing;
  readonly slices: CompiledElement[];
  /** The snapshot element itself (for anything not compiled). */
  readonly source: ElementDefinition;
}

export interface CompiledProfile {
  readonly url: string;
  /** The resource or datatype constrained (`Patient`, `Period`). */
  readonly type: string;
  readonly root: CompiledElement;
  /** Element by path (unsliced elements only), for contentReference. */
  readonly byPath: ReadonlyMap<string, CompiledElement>;
  /** A constraint directly on the core type's definition: its snapshot holds every base rule. */
  readonly derivedFromBase: boolean;
}

export type { ElementDefinitionConstraint };
