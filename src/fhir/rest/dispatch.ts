/** Maps a FhirRequest to its route and runs it. */
import type { FhirContext } from '../interactions/context';
import { errors } from '../outcomes';
import { matchRoute } from './routes';
import type { FhirRequest, FhirResponse } from './types';
import { responseFormat } from './negotiate';
import { FhirError, issue } from '../outcomes';
import { unauthorized } from '../../auth/authenticate';
import { isPublicRequest } from '../../auth/public-routes';
import { runWithAccess } from '../../auth/request-access';

/** A Binary read may be answered with the raw content in any type, so Accept is not checked there. */
function mayAnswerRaw(req: FhirRequest): boolean {
  return req.segments[0] === 'Binary' && (req.method === 'GET' || req.method === 'HEAD') && req.segments.length >= 2;
}

export async function dispatch(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  if (!mayAnswerRaw(req)) responseFormat(req);
  const match = matchRoute(req.method, req.segments);
  if (req.access.mode === 'anonymous' && !isPublicRequest(req)) throw unauthorized();
  const route = match.route;
  if (route) return runWithAccess(req.access, () => route.handle(ctx, req, match.params));
  if (match.allowed.length > 0) {
    throw new FhirError(
      [issue('not-supported', `${req.method} is not allowed on this path; use ${match.allowed.join(', ')}`)],
      405,
      { Allow: match.allowed.join(', ') },
    );
  }
  throw errors.notFound(`No FHIR route for ${req.method} /${req.segments.join('/').slice(0, 200)}`);
}
