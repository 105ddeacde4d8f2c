/**
 * The license application workflow (issue 7, "The workflow" 1-5): `$submit`, `$start-review`,
 * `$approve` and `$reject` on a license-application Task, `$verify` on a DocumentReference.
 * Their OperationDefinitions are profiles/OperationDefinition-<code>.json.
 */
import type { OperationDefinition } from '@medplum/fhirtypes';
import type { OperationRegistry } from '../../../fhir/operations/registry';
import { registerApprove } from './approve';
import { registerReject, registerStartReview } from './review';
import { registerSubmit } from './submit';
import { registerVerify } from './verify';

export function registerApplicationOperations(registry: OperationRegistry, ours: (code: string) => OperationDefinition): void {
  registerSubmit(registry, ours('submit'));
  registerStartReview(registry, ours('start-review'));
  registerVerify(registry, ours('verify'));
  registerApprove(registry, ours('approve'));
  registerReject(registry, ours('reject'));
}
