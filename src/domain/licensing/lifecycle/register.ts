/**
 * The license lifecycle's operations (issue 7, workflow point 6), each defined in
 * profiles/OperationDefinition-<code>.json and audited (audited.ts).
 */
import type { OperationDefinition } from '@medplum/fhirtypes';
import type { OperationRegistry } from '../../../fhir/operations/registry';
import { audited } from './audited';
import { addDisciplinaryAction } from './disciplinary';
import { LICENSE_OPERATIONS, licenseOperation } from './license-operations';

export function registerLifecycleOperations(registry: OperationRegistry, ours: (code: string) => OperationDefinition): void {
  for (const [code, action] of Object.entries(LICENSE_OPERATIONS)) {
    registry.register(ours(code), audited(code, 'U', licenseOperation(code, action)));
  }
  registry.register(ours('add-disciplinary-action'), audited('add-disciplinary-action', 'C', addDisciplinaryAction('add-disciplinary-action')));
}
