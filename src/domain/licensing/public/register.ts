/**
 * The public registry's operations (issue 7): anonymous (src/auth/public-routes.ts), rate limited
 * and readable cross-origin (src/web/registry/public-access.ts), answering public views only.
 */
import type { OperationDefinition } from '@medplum/fhirtypes';
import type { OperationRegistry } from '../../../fhir/operations/registry';
import { registrySearchOperation } from './registry-search';
import { registryStatisticsOperation } from './registry-statistics';
import { verifyLicenseOperation } from './verify-license';

export function registerPublicRegistryOperations(registry: OperationRegistry, ours: (code: string) => OperationDefinition): void {
  registry.register(ours('verify-license'), verifyLicenseOperation);
  registry.register(ours('registry-search'), registrySearchOperation);
  registry.register(ours('registry-statistics'), registryStatisticsOperation);
}
