/** Invoking a registered operation at system, type or instance level (operations.html). */
import type { Parameters, Resource } from '@medplum/fhirtypes';
import { errors } from '../outcomes';
import type { OperationLevel } from '../operations/registry';
import { paramsFromBody, paramsFromQuery } from '../operations/parameters';
import { parseJsonBody } from '../rest/body';
import type { FhirRequest, FhirResponse } from '../rest/types';
import type { FhirContext } from './context';

export interface OperationTarget {
  level: OperationLevel;
  resourceType?: string;
  id?: string;
  versionId?: string;
}

function isResponse(value: Resource | FhirResponse): value is FhirResponse {
  return typeof (value as FhirResponse).status === 'number' && !('resourceType' in value);
}

export async function invokeOperation(
  ctx: FhirContext,
  req: FhirRequest,
  segment: string,
  target: OperationTarget,
): Promise<FhirResponse> {
  const code = segment.slice(1);
  if (target.resourceType) ctx.service.assertType(target.resourceType);
  if (target.id) ctx.service.assertId(target.id);
  const found = ctx.operations.resolve(code, target.level, target.resourceType);
  const operation = found && (target.versionId === undefined || found.versioned) ? found : undefined;
  if (!operation) {
    const where = target.versionId
      ? `version level of ${target.resourceType}`
      : target.resourceType
        ? `${target.level} level of ${target.resourceType}`
        : 'system level';
    throw errors.notFound(`Operation $${code.slice(0, 60)} is not supported at the ${where}`);
  }
  let params;
  // HEAD is a GET whose body is not sent (RFC 9110 §9.3.2): same checks, same status and headers.
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (!ctx.operations.allowsGet(operation)) throw errors.notSupported(`$${code} changes state and must be invoked with POST`);
    params = paramsFromQuery(operation.definition, req.query);
  } else if (req.method === 'POST') {
    // An operation without inputs may be POSTed with no body (operations.html#invoking).
    const body = req.body ? (parseJsonBody(req) as Resource) : ({ resourceType: 'Parameters' } as Resource);
    if (operation.inputFromBody && req.body) {
      params = operation.inputFromBody(body, req.query, operation.definition);
    } else {
      if (body.resourceType !== 'Parameters') throw errors.invalid(`$${code} expects a Parameters resource`, 'resourceType');
      params = paramsFromBody(operation.definition, ctx.service.validate(body, 'Parameters') as Parameters);
    }
  } else {
    throw errors.notSupported(`$${code} is invoked with GET or POST, not ${req.method}`);
  }
  const result = await operation.handler({ ctx, req, ...target, params });
  return isResponse(result) ? result : { status: 200, resource: result };
}
