/**
 * The operations this server implements (HL7's, terminology included, and $reindex), registered
 * in one place so the container and the tools that need no database (openapi.yaml) build the
 * same registry.
 */
import type { FhirDefinitions } from '../definitions';
import { registerTerminologyOperations } from '../../terminology/operations/register';
import { registerMetaOperations } from './meta';
import { registerReindexOperation } from './reindex';
import type { OperationRegistry } from './registry';

export function registerStandardOperations(
  registry: OperationRegistry,
  definitions: Pick<FhirDefinitions, 'operationDefinitions'>,
): void {
  registerMetaOperations(registry, definitions.operationDefinitions);
  registerReindexOperation(registry);
  registerTerminologyOperations(registry, definitions.operationDefinitions);
}
