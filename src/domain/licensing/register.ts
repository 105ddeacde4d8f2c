/**
 * The national registry's operations (issue 7): the application workflow, the license lifecycle
 * and the public registry. Their OperationDefinitions are ours, in profiles/.
 */
import type { OperationDefinition } from '@medplum/fhirtypes';
import type { OperationRegistry } from '../../fhir/operations/registry';
import { registerApplicationOperations } from './application/register';
import { registerLifecycleOperations } from './lifecycle/register';
import { registerPublicRegistryOperations } from './public/register';

export function registerLicensingOperations(registry: OperationRegistry, ours: (code: string) => OperationDefinition): void {
  registerApplicationOperations(registry, ours);
  registerLifecycleOperations(registry, ours);
  registerPublicRegistryOperations(registry, ours);
}
