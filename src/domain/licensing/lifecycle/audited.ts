/**
 * Wraps a lifecycle operation so it leaves an AuditEvent, allowed or refused (DESIGN.md §8: who,
 * what, when, where from, outcome). Only when auditing is on (the context has an Auditor, i.e.
 * authentication and audit enabled). Stored before the answer, as the server itself; a failure to
 * store it is logged and does not change the operation's answer.
 */
import { asSystem, currentAccess } from '../../../auth/request-access';
import type { OperationHandler, OperationInvocation } from '../../../fhir/operations/registry';
import { FhirError } from '../../../fhir/outcomes';
import { lifecycleAuditEvent } from './records';

export function audited(operation: string, action: 'C' | 'U', handler: OperationHandler): OperationHandler {
  return async (invocation: OperationInvocation) => {
    try {
      const result = await handler(invocation);
      await record(invocation, operation, action, 200);
      return result;
    } catch (err) {
      const status = err instanceof FhirError ? err.status : 500;
      const text = err instanceof FhirError ? err.outcome.issue?.[0]?.diagnostics : 'internal error';
      await record(invocation, operation, action, status, text);
      throw err;
    }
  };
}

async function record(invocation: OperationInvocation, operation: string, action: 'C' | 'U', status: number, outcomeText?: string): Promise<void> {
  const { ctx, req, resourceType, id } = invocation;
  const access = currentAccess() ?? req.access;
  if (!ctx.auditor || access.mode !== 'token') return;
  const event = lifecycleAuditEvent({ req, access, operation, action, what: `${resourceType}/${id}`, status, outcomeText, recorded: new Date() });
  await asSystem(() => ctx.service.create('AuditEvent', event)).catch((err: unknown) => req.log.error({ err, operation }, 'the AuditEvent of a license operation could not be stored'));
}
