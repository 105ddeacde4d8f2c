/**
 * patch (http.html#patch): PATCH [type]/[id] with a JSON Patch or a FHIRPath Patch body.
 * The body is read and checked first (415/400), then ResourceService.patch reads the resource
 * (404/410), checks If-Match (412), applies the patch (422) and stores the validated result as a
 * new version. The answer is shaped like an update's: 200, ETag, Last-Modified, Location, Prefer.
 */
import { readPatch } from '../patch/request';
import { ifMatchVersion } from '../rest/etag';
import type { FhirRequest, FhirResponse } from '../rest/types';
import { writeResponse } from '../rest/version-headers';
import type { FhirContext } from './context';


export async function patch(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  ctx.service.assertType(type);
  ctx.service.assertId(id);
  const expected = ifMatchVersion(req.headers);
  const document = readPatch(req, ctx.definitions, (body) => ctx.service.validate(body, 'Parameters'));
  const version = await ctx.service.patch(type, id, (resource) => document.apply(resource), { ifMatch: expected });
  return writeResponse(req, ctx.config.baseUrl, 200, version, `Patched ${type}/${id}`);
}
