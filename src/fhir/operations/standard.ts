/**
 * The standard (HL7) operations this server implements, registered in one place so the
 * container and the tools that need no database (openapi.yaml) build the same registry.
 */
import type { FhirDefinitions } from '../definitions';
import { registerMetaOperations } from './meta';
import type { OperationRegistry } from './registry';

export function registerStandardOperations(
  registry: OperationRegistry,
  definitions: Pick<FhirDefinitions, 'operationDefinitions'>,
): void {
  registerMetaOperations(registry, definitions.operationDefinitions);
}
