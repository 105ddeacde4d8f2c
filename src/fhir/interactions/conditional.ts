/** Conditional update, delete and patch on `[type]?criteria` (conditional create is in write.ts). */
import { informational } from '../outcomes';
import { parseCondition } from '../conditional/condition';
import { readPatch } from '../patch/request';
import { parseJsonBody } from '../rest/body';
import { etag, ifMatchVersion } from '../rest/etag';
import { returnPreference } from '../rest/prefer';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { writeResponse } from '../rest/version-headers';
import type { FhirContext } from './context';

export async function conditionalUpdate(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  ctx.service.assertType(type);
  const condition = parseCondition(req.query);
  const body = parseJsonBody(req);
  const result = await ctx.conditional.update(type, condition, body, {
    ifMatch: ifMatchVersion(req.headers),
    sizeHint: req.body?.length,
  });
  const status = result.created ? 201 : 200;
  return writeResponse(req, ctx.config.baseUrl, status, result.version, `${result.created ? 'Created' : 'Updated'} ${type}/${result.version.id}`);
}

export async function conditionalDelete(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  ctx.service.assertType(type);
  const condition = parseCondition(req.query);
  const deleted = await ctx.conditional.delete(type, condition, ctx.config.conditionalDeleteMultiple, ctx.config.conditionalDeleteMax);
  const headers: Record<string, string> = deleted.length === 1 ? { ETag: etag(deleted[0]!.versionId) } : {};
  if (returnPreference(req) === 'minimal') return { status: 204, headers };
  const message =
    deleted.length === 0 ? `No ${type} matched; nothing was deleted` : `Deleted ${deleted.map((v) => `${type}/${v.id}`).join(', ')}`;
  return { status: 200, headers, resource: informational(message) };
}

export async function conditionalPatch(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  ctx.service.assertType(type);
  const condition = parseCondition(req.query);
  const document = readPatch(req, ctx.definitions, (body) => ctx.service.validate(body, 'Parameters'));
  const version = await ctx.conditional.patch(type, condition, (resource) => document.apply(resource), {
    ifMatch: ifMatchVersion(req.headers),
  });
  return writeResponse(req, ctx.config.baseUrl, 200, version, `Patched ${type}/${version.id}`);
}
