/** create, update and delete (http.html#create, #update, #delete). */
import type { Resource } from '@medplum/fhirtypes';
import { errors, informational } from '../outcomes';
import { parseJsonBody } from '../rest/body';
import { ifMatchVersion } from '../rest/etag';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { writeResponse } from '../rest/version-headers';
import { binaryFromRaw, isRawBinary } from './binary-body';
import type { FhirContext } from './context';
import { parseConditionHeader } from '../conditional/condition';
import { etag } from '../rest/etag';
import { returnPreference } from '../rest/prefer';

function body(req: FhirRequest, type: string, id?: string): Resource | unknown {
  return isRawBinary(req, type) ? binaryFromRaw(req, id) : parseJsonBody(req);
}

/** The JSON size of the resource when the body is that JSON (raw Binary grows by base64). */
function jsonSize(req: FhirRequest, type: string): number | undefined {
  return req.body && !isRawBinary(req, type) ? req.body.length : undefined;
}


export async function create(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  ctx.service.assertType(type);
  const ifNoneExist = req.headers['if-none-exist'];
  if (ifNoneExist !== undefined) {
    // Conditional create (http.html#ccreate): an existing match is returned with 200, not created.
    const condition = parseConditionHeader(ifNoneExist);
    const result = await ctx.conditional.create(type, body(req, type), condition, jsonSize(req, type), req.assignedId);
    const message = result.created ? `Created ${type}/${result.version.id}` : `${type}/${result.version.id} already matches; nothing created`;
    return writeResponse(req, ctx.config.baseUrl, result.created ? 201 : 200, result.version, message);
  }
  const version = await ctx.service.create(type, body(req, type), { sizeHint: jsonSize(req, type), id: req.assignedId });
  return writeResponse(req, ctx.config.baseUrl, 201, version, `Created ${type}/${version.id}`);
}

export async function update(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  ctx.service.assertType(type);
  ctx.service.assertId(id);
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw errors.invalid('If-None-Match on an update only supports * (create if absent)');
  }
  const result = await ctx.service.update(type, id, body(req, type, id), {
    ifMatch: ifMatchVersion(req.headers),
    createOnly: ifNoneMatch !== undefined,
    sizeHint: jsonSize(req, type),
  });
  const status = result.created ? 201 : 200;
  return writeResponse(req, ctx.config.baseUrl, status, result.version, `${result.created ? 'Created' : 'Updated'} ${type}/${id}`);
}

export async function remove(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  const deleted = await ctx.service.delete(type, id, { ifMatch: ifMatchVersion(req.headers) });
  // Deleting something absent or already deleted is not an error (http.html#delete).
  const headers: Record<string, string> = deleted ? { ETag: etag(deleted.versionId) } : {};
  if (returnPreference(req) === 'minimal') return { status: 204, headers };
  const message = deleted ? `Deleted ${type}/${id}` : `${type}/${id} does not exist or was already deleted`;
  return { status: 200, headers, resource: informational(message) };
}
