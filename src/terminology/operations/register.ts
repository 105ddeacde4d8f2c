/**
 * The terminology operations, each registered with its R4 OperationDefinition so that routes,
 * the CapabilityStatement and openapi.yaml come from the definitions (DESIGN.md §7).
 */
import type { OperationDefinition } from '@medplum/fhirtypes';
import type { OperationHandler, OperationRegistry } from '../../fhir/operations/registry';
import { expandOperation } from './expand';
import { lookupOperation } from './lookup';
import { subsumesOperation } from './subsumes';
import { translateOperation } from './translate';
import { validateCodeSystemCode } from './validate-code-system';
import { validateValueSetCode } from './validate-value-set';

const HANDLERS: Record<string, OperationHandler> = {
  'ValueSet-expand': expandOperation,
  'ValueSet-validate-code': validateValueSetCode,
  'CodeSystem-lookup': lookupOperation,
  'CodeSystem-validate-code': validateCodeSystemCode,
  'CodeSystem-subsumes': subsumesOperation,
  'ConceptMap-translate': translateOperation,
};

export function registerTerminologyOperations(registry: OperationRegistry, definitions: readonly OperationDefinition[]): void {
  for (const [id, handler] of Object.entries(HANDLERS)) {
    const definition = definitions.find((d) => d.id === id);
    if (!definition) throw new Error(`OperationDefinition ${id} is not loaded`);
    registry.register(definition, handler);
  }
}
