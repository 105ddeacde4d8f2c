/**
 * The officers' transitions that issue nothing: `$start-review` (requested → in-progress,
 * business status under-review, owner = the officer) and `$reject` (a submitted or reviewed
 * application → rejected, with the reason as statusReason).
 */
import type { OperationDefinition, Task } from '@medplum/fhirtypes';
import type { OperationRegistry } from '../../../fhir/operations/registry';
import { errors } from '../../../fhir/outcomes';
import { readApplication, requireStatus } from './application';
import { officerReference, requireOfficer } from './caller';
import { readTask, saveOver } from './tasks';

const MAX_REASON = 2000;

export function registerStartReview(registry: OperationRegistry, definition: OperationDefinition): void {
  registry.register(definition, async ({ ctx, id }) => {
    const caller = requireOfficer('start-review');
    const { resource: task, versionId } = await readTask(ctx.service, id!);
    readApplication(task);
    requireStatus(task, ['requested'], 'start-review');
    const owner = officerReference(caller);
    const reviewed: Task & { id: string } = {
      ...task,
      status: 'in-progress',
      businessStatus: { text: 'under-review' },
      ...(owner ? { owner } : {}),
      lastModified: new Date().toISOString(),
    };
    return saveOver(ctx.service, reviewed, versionId);
  });
}

export function registerReject(registry: OperationRegistry, definition: OperationDefinition): void {
  registry.register(definition, async ({ ctx, id, params }) => {
    const caller = requireOfficer('reject');
    const reason = params.get('reason')?.[0];
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON) throw errors.invalid(`Parameter 'reason' must be a text of 1 to ${MAX_REASON} characters`, 'reason');
    const { resource: task, versionId } = await readTask(ctx.service, id!);
    readApplication(task);
    requireStatus(task, ['requested', 'in-progress'], 'reject');
    const owner = task.owner ?? officerReference(caller);
    const rejected: Task & { id: string } = {
      ...task,
      status: 'rejected',
      statusReason: { text: reason.trim() },
      businessStatus: { text: 'rejected' },
      ...(owner ? { owner } : {}),
      lastModified: new Date().toISOString(),
    };
    return saveOver(ctx.service, rejected, versionId);
  });
}
