/**
 * The operations this server implements (HL7's, terminology included, and ours from profiles/), registered
 * in one place so the container and the tools that need no database (openapi.yaml) build the
 * same registry.
 */
import type { FhirDefinitions } from '../definitions';
import { registerTerminologyOperations } from '../../terminology/operations/register';
import { registerLicensingOperations } from '../../domain/licensing/register';
import { registerMetaOperations } from './meta';
import { registerReindexOperation } from './reindex';
import { registerRestoreOperation } from './restore';
import type { OperationRegistry } from './registry';
import { registerValidateOperation } from './validate';

export function registerStandardOperations(
  registry: OperationRegistry,
  definitions: Pick<FhirDefinitions, 'operationDefinitions' | 'profiles'>,
): void {
  registerMetaOperations(registry, definitions.operationDefinitions);
  registerValidateOperation(registry, definitions.operationDefinitions);
  const ours = (code: string) => {
    const definition = definitions.profiles.operationDefinitions.find((d) => d.code === code);
    if (!definition) throw new Error(`profiles/ has no OperationDefinition for $${code}`);
    return definition;
  };
  registerReindexOperation(registry, ours('reindex'));
  registerRestoreOperation(registry, ours('restore'));
  registerTerminologyOperations(registry, definitions.operationDefinitions);
  registerLicensingOperations(registry, ours);
}
