/** Maps a FhirRequest to its route and runs it. */
import type { FhirContext } from '../interactions/context';
import { errors } from '../outcomes';
import type { Route } from './routes';
import { matchRoute } from './routes';
import type { FhirRequest, FhirResponse } from './types';
import { responseFormat } from './negotiate';
import { FhirError, issue } from '../outcomes';
import { unauthorized } from '../../auth/authenticate';
import { isPublicRequest } from '../../auth/public-routes';
import { runWithAccess, touchedCount, touchedSince } from '../../auth/request-access';

/** A Binary read may be answered with the raw content in any type, so Accept is not checked there. */
function mayAnswerRaw(req: FhirRequest): boolean {
  return req.segments[0] === 'Binary' && (req.method === 'GET' || req.method === 'HEAD') && req.segments.length >= 2;
}

export async function dispatch(ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> {
  if (!mayAnswerRaw(req)) responseFormat(req);
  const match = matchRoute(req.method, req.segments);
  const route = match.route;
  if (route) return runWithAccess(req.access, () => audited(ctx, req, route, match.params));
  if (req.access.mode === 'anonymous' && !isPublicRequest(req)) throw unauthorized();
  if (match.allowed.length > 0) {
    throw new FhirError(
      [issue('not-supported', `${req.method} is not allowed on this path; use ${match.allowed.join(', ')}`)],
      405,
      { Allow: match.allowed.join(', ') },
    );
  }
  throw errors.notFound(`No FHIR route for ${req.method} /${req.segments.join('/').slice(0, 200)}`);
}

/** Runs the route (after the anonymous check) and records its AuditEvent, allowed or refused. */
async function audited(ctx: FhirContext, req: FhirRequest, route: Route, params: Record<string, string>): Promise<FhirResponse> {
  const mark = touchedCount();
  try {
    if (req.access.mode === 'anonymous' && !isPublicRequest(req)) throw unauthorized();
    const response = await route.handle(ctx, req, params);
    // The client hears back only once the AuditEvent is safe (journaled): a crash cannot lose it.
    await ctx.auditor?.record(req, { interaction: route.interaction, params, status: response.status, touched: touchedSince(mark) });
    return response;
  } catch (err) {
    const status = err instanceof FhirError ? err.status : 500;
    const outcomeText = err instanceof FhirError ? err.outcome.issue?.[0]?.diagnostics : 'internal error';
    await ctx.auditor?.record(req, { interaction: route.interaction, params, status, outcomeText, touched: touchedSince(mark) });
    throw err;
  }
}
