/**
 * Removes Medplum's changes (medplum-additions.ts) from freshly parsed definitions.
 * These functions mutate their argument: they only ever see objects the loader just parsed.
 */
import type {
  ElementDefinition,
  OperationDefinition,
  SearchParameter,
  StructureDefinition,
} from '@medplum/fhirtypes';
import {
  MEDPLUM_ELEMENTS,
  MEDPLUM_OPERATION_PARAMETERS,
  MEDPLUM_SEARCH_PARAMETER_URLS,
  MEDPLUM_TARGET_PROFILES,
  R4_BINDING_VALUE_SETS,
  R4_SEARCH_PARAMETER_TARGETS,
  R4_TYPE_CODES,
} from './medplum-additions';

function isUnder(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => path === root || path.startsWith(`${root}.`));
}

function cleanElement(element: ElementDefinition): void {
  const removedTargets = MEDPLUM_TARGET_PROFILES[element.path ?? ''];
  if (removedTargets) {
    for (const type of element.type ?? []) {
      if (type.targetProfile) type.targetProfile = type.targetProfile.filter((t) => !removedTargets.includes(t));
    }
  }
  const typeCode = R4_TYPE_CODES[element.path ?? ''];
  if (typeCode) {
    for (const type of element.type ?? []) type.code = typeCode;
  }
  const valueSet = R4_BINDING_VALUE_SETS[element.path ?? ''];
  if (valueSet && element.binding) element.binding.valueSet = valueSet;
}

function cleanElements(elements: ElementDefinition[] | undefined, removed: readonly string[]): ElementDefinition[] {
  const kept = (elements ?? []).filter((e) => !isUnder(e.path ?? '', removed));
  for (const element of kept) cleanElement(element);
  return kept;
}

/** Strips Medplum's elements, reference targets and changed values from one StructureDefinition. */
export function cleanStructureDefinition(sd: StructureDefinition): StructureDefinition {
  const removed = MEDPLUM_ELEMENTS[sd.type ?? ''] ?? [];
  if (sd.snapshot) sd.snapshot.element = cleanElements(sd.snapshot.element, removed);
  if (sd.differential) sd.differential.element = cleanElements(sd.differential.element, removed);
  return sd;
}

/** Restores R4 targets; returns undefined for a SearchParameter Medplum added. */
export function cleanSearchParameter(sp: SearchParameter): SearchParameter | undefined {
  if (MEDPLUM_SEARCH_PARAMETER_URLS.has(sp.url)) return undefined;
  const target = R4_SEARCH_PARAMETER_TARGETS[sp.url];
  if (target) sp.target = [...target] as SearchParameter['target'];
  return sp;
}

/** Removes parameters Medplum added to a standard OperationDefinition. */
export function cleanOperationDefinition(od: OperationDefinition): OperationDefinition {
  const extra = MEDPLUM_OPERATION_PARAMETERS[od.url ?? ''];
  if (extra && od.parameter) od.parameter = od.parameter.filter((p) => !extra.includes(p.name ?? ''));
  return od;
}
