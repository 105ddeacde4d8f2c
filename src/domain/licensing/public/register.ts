/** Placeholder until the public part of issue 7 lands: registers nothing yet. */
import type { OperationDefinition } from '@medplum/fhirtypes';
import type { OperationRegistry } from '../../../fhir/operations/registry';

export function registerPublicRegistryOperations(registry: OperationRegistry, ours: (code: string) => OperationDefinition): void {
  void registry;
  void ours;
}
