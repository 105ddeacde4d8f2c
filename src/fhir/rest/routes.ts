/**
 * The FHIR route table, as data: the dispatcher, the CapabilityStatement and
 * openapi.yaml are all derived from it. Paths are relative to the FHIR base.
 */
import type { FhirContext } from '../interactions/context';
import { capabilities } from '../interactions/capabilities';
import { history } from '../interactions/history';
import { patch } from '../interactions/patch';
import { invokeOperation } from '../interactions/operation';
import { read, vread } from '../interactions/read';
import { create, remove, update } from '../interactions/write';
import { postBundle } from '../interactions/bundle';
import { search } from '../interactions/search';
import { searchSystem } from '../interactions/search-system';
import { conditionalDelete, conditionalPatch, conditionalUpdate } from '../interactions/conditional';
import type { FhirRequest, FhirResponse } from './types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** Path segments: literals, or `{type}`, `{id}`, `{vid}`, `{operation}` placeholders. */
export interface Route {
  method: HttpMethod;
  path: string[];
  /** The FHIR interaction code (restful-interaction value set) or 'operation'. */
  interaction: string;
  level: 'system' | 'type' | 'instance';
  summary: string;
  /** Further interaction codes the same route serves (POST [base]: batch and transaction). */
  also?: string[];
  /** False for interactions that later issues implement (answered with 501). */
  implemented: boolean;
  handle(ctx: FhirContext, req: FhirRequest, params: Record<string, string>): Promise<FhirResponse> | FhirResponse;
}

const op = (level: 'system' | 'type' | 'instance') => (ctx: FhirContext, req: FhirRequest, p: Record<string, string>) =>
  invokeOperation(ctx, req, p.operation!, { level, resourceType: p.type, id: p.id, versionId: p.vid });

export const ROUTES: Route[] = [
  { method: 'GET', path: ['metadata'], interaction: 'capabilities', level: 'system', summary: 'CapabilityStatement', implemented: true, handle: (ctx, req) => capabilities(ctx, req) },
  { method: 'GET', path: ['_history'], interaction: 'history-system', level: 'system', summary: 'History of all resources', implemented: true, handle: (ctx, req) => history(ctx, req) },
  { method: 'POST', path: [], interaction: 'batch', also: ['transaction'], level: 'system', summary: 'batch or transaction Bundle', implemented: true, handle: (ctx, req) => postBundle(ctx, req) },
  { method: 'GET', path: [], interaction: 'search-system', level: 'system', summary: 'Search all types, or those named by _type', implemented: true, handle: (ctx, req) => searchSystem(ctx, req) },
  { method: 'POST', path: ['_search'], interaction: 'search-system', level: 'system', summary: 'Search all types (form body)', implemented: true, handle: (ctx, req) => searchSystem(ctx, req) },
  { method: 'GET', path: ['{operation}'], interaction: 'operation', level: 'system', summary: 'System operation', implemented: true, handle: op('system') },
  { method: 'POST', path: ['{operation}'], interaction: 'operation', level: 'system', summary: 'System operation', implemented: true, handle: op('system') },
  { method: 'GET', path: ['{type}', '_history'], interaction: 'history-type', level: 'type', summary: 'History of a type', implemented: true, handle: (ctx, req, p) => { ctx.service.assertType(p.type!); return history(ctx, req, p.type); } },
  { method: 'GET', path: ['{type}', '{operation}'], interaction: 'operation', level: 'type', summary: 'Type operation', implemented: true, handle: op('type') },
  { method: 'POST', path: ['{type}', '{operation}'], interaction: 'operation', level: 'type', summary: 'Type operation', implemented: true, handle: op('type') },
  { method: 'POST', path: ['{type}', '_search'], interaction: 'search-type', level: 'type', summary: 'Search (form body)', implemented: true, handle: (ctx, req, p) => search(ctx, req, p.type!) },
  { method: 'GET', path: ['{type}'], interaction: 'search-type', level: 'type', summary: 'Search', implemented: true, handle: (ctx, req, p) => search(ctx, req, p.type!) },
  { method: 'POST', path: ['{type}'], interaction: 'create', level: 'type', summary: 'Create a resource (server-assigned id)', implemented: true, handle: (ctx, req, p) => create(ctx, req, p.type!) },
  { method: 'PUT', path: ['{type}'], interaction: 'conditional-update', level: 'type', summary: 'Conditional update ([type]?search)', implemented: true, handle: (ctx, req, p) => conditionalUpdate(ctx, req, p.type!) },
  { method: 'DELETE', path: ['{type}'], interaction: 'conditional-delete', level: 'type', summary: 'Conditional delete ([type]?search)', implemented: true, handle: (ctx, req, p) => conditionalDelete(ctx, req, p.type!) },
  { method: 'PATCH', path: ['{type}'], interaction: 'conditional-patch', level: 'type', summary: 'Conditional patch ([type]?search)', implemented: true, handle: (ctx, req, p) => conditionalPatch(ctx, req, p.type!) },
  { method: 'GET', path: ['{type}', '{id}'], interaction: 'read', level: 'instance', summary: 'Read the current version', implemented: true, handle: (ctx, req, p) => read(ctx, req, p.type!, p.id!) },
  { method: 'PUT', path: ['{type}', '{id}'], interaction: 'update', level: 'instance', summary: 'Update or create with a client id', implemented: true, handle: (ctx, req, p) => update(ctx, req, p.type!, p.id!) },
  { method: 'DELETE', path: ['{type}', '{id}'], interaction: 'delete', level: 'instance', summary: 'Delete', implemented: true, handle: (ctx, req, p) => remove(ctx, req, p.type!, p.id!) },
  { method: 'PATCH', path: ['{type}', '{id}'], interaction: 'patch', level: 'instance', summary: 'Patch with JSON Patch or FHIRPath Patch', implemented: true, handle: (ctx, req, p) => patch(ctx, req, p.type!, p.id!) },
  { method: 'GET', path: ['{type}', '{id}', '{target}'], interaction: 'search-compartment', level: 'instance', summary: 'Search inside the compartment of a resource (Patient/123/Observation)', implemented: true, handle: (ctx, req, p) => search(ctx, req, p.target!, { type: p.type!, id: p.id! }) },
  { method: 'GET', path: ['{type}', '{id}', '_history'], interaction: 'history-instance', level: 'instance', summary: 'History of a resource', implemented: true, handle: (ctx, req, p) => history(ctx, req, p.type!, p.id!) },
  { method: 'GET', path: ['{type}', '{id}', '{operation}'], interaction: 'operation', level: 'instance', summary: 'Instance operation', implemented: true, handle: op('instance') },
  { method: 'POST', path: ['{type}', '{id}', '{operation}'], interaction: 'operation', level: 'instance', summary: 'Instance operation', implemented: true, handle: op('instance') },
  { method: 'GET', path: ['{type}', '{id}', '_history', '{vid}'], interaction: 'vread', level: 'instance', summary: 'Read a version', implemented: true, handle: (ctx, req, p) => vread(ctx, req, p.type!, p.id!, p.vid!) },
  { method: 'GET', path: ['{type}', '{id}', '_history', '{vid}', '{operation}'], interaction: 'operation', level: 'instance', summary: 'Operation on a version', implemented: true, handle: op('instance') },
  { method: 'POST', path: ['{type}', '{id}', '_history', '{vid}', '{operation}'], interaction: 'operation', level: 'instance', summary: 'Operation on a version', implemented: true, handle: op('instance') },
];

const isOperation = (segment: string) => segment.startsWith('$') && segment.length > 1;
const isType = (segment: string) => /^[A-Z][A-Za-z]{0,63}$/.test(segment);

function matchSegment(pattern: string, segment: string, params: Record<string, string>): boolean {
  switch (pattern) {
    case '{operation}':
      if (!isOperation(segment)) return false;
      break;
    case '{type}':
    case '{target}':
      if (!isType(segment)) return false;
      break;
    case '{id}':
    case '{vid}':
      if (isOperation(segment) || segment.startsWith('_')) return false;
      break;
    default:
      return pattern === segment;
  }
  params[pattern.slice(1, -1)] = segment;
  return true;
}

export interface RouteMatch {
  route?: Route;
  params: Record<string, string>;
  /** Methods allowed on the path, when it matched but the method did not. */
  allowed: HttpMethod[];
}

export function matchRoute(method: string, segments: string[]): RouteMatch {
  const allowed: HttpMethod[] = [];
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const route of ROUTES) {
    if (route.path.length !== segments.length) continue;
    const params: Record<string, string> = {};
    if (!route.path.every((pattern, i) => matchSegment(pattern, segments[i]!, params))) continue;
    if (route.method === wanted) return { route, params, allowed };
    if (route.implemented && !allowed.includes(route.method)) allowed.push(route.method);
  }
  return { params: {}, allowed };
}

const implementedCodes = (level: Route['level']) => [
  ...new Set(
    // Conditional variants are flags of update/delete in the CapabilityStatement, not interactions;
    // compartments are listed in rest.compartment.
    ROUTES.filter(
      (r) =>
        r.implemented &&
        r.level === level &&
        !['operation', 'capabilities', 'search-compartment'].includes(r.interaction) &&
        !r.interaction.startsWith('conditional-'),
    ).flatMap((r) => [r.interaction, ...(r.also ?? [])]),
  ),
];

/** Interaction codes per level, for the CapabilityStatement (restful-interaction codes). */
export const TYPE_INTERACTIONS = [...implementedCodes('instance'), ...implementedCodes('type')] as Array<
  'read' | 'vread' | 'update' | 'patch' | 'delete' | 'history-instance' | 'history-type' | 'create' | 'search-type'
>;
export const SYSTEM_INTERACTIONS = implementedCodes('system') as Array<'transaction' | 'batch' | 'search-system' | 'history-system'>;
