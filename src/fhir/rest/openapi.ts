/**
 * The OpenAPI 3.0 description of the REST surface, derived (DESIGN.md §7) from the
 * route table, the operation registry and the resource types: nothing is listed by hand
 * twice. Pure: no database, no clock, so the committed openapi.yaml can be checked for drift.
 */
import type { OperationDefinitionParameter } from '@medplum/fhirtypes';
import type { OperationRegistry, RegisteredOperation } from '../operations/registry';
import type { Route } from './routes';
import { ref, fhirResponse, versionResponse, notModified, writeResult, ERROR_RESPONSES, typePathParameter, components, parametersBody, healthPaths, TAGS, info } from './openapi-components';

export interface OpenApiInput {
  routes: readonly Route[];
  operations: OperationRegistry;
  resourceTypes: readonly string[];
  /** The server version (package.json). */
  version: string;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

export type OpenApiPathItem = Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch', OpenApiOperation>>;

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  servers: Array<{ url: string; description?: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, OpenApiPathItem>;
  components: Record<string, Record<string, unknown>>;
}

/** What each interaction accepts and answers, beyond the parameters every FHIR route takes. */
interface InteractionDoc {
  parameters: string[];
  /** The request body, for methods that take one ('search': a form, POST only). */
  body?: 'resource' | 'patch' | 'search';
  ok: Record<string, unknown>;
  errors: number[];
}

const FHIR_QUERY = ['_format', '_pretty'];
const PROJECTION = ['_summary', '_elements'];
const HISTORY = ['_count', '_since', '_at', '_page'];
const BODY_ERRORS = [413, 415];

const INTERACTIONS: Record<string, InteractionDoc> = {
  capabilities: { parameters: ['mode'], ok: { 200: fhirResponse('The CapabilityStatement', 'CapabilityStatement') }, errors: [] },
  'search-type': {
    parameters: ['search-parameters', '_count', '_sort', '_total', '_include', '_revinclude', '_page', ...PROJECTION, 'Prefer-handling'],
    body: 'search',
    ok: { 200: fhirResponse('A searchset Bundle: matches, included resources, and an outcome entry naming ignored parameters', 'Bundle') },
    errors: [404],
  },
  'search-system': {
    parameters: ['_type', 'search-parameters', '_count', '_total', '_include', '_revinclude', '_page', ...PROJECTION, 'Prefer-handling'],
    body: 'search',
    ok: { 200: fhirResponse('A searchset Bundle: matches of each type in _type order, included resources, and an outcome entry naming ignored parameters', 'Bundle') },
    errors: [404],
  },
  'search-compartment': {
    parameters: ['search-parameters', '_count', '_sort', '_total', '_include', '_revinclude', '_page', ...PROJECTION, 'Prefer-handling'],
    ok: { 200: fhirResponse('A searchset Bundle of the resources of {target} in the compartment of {type}/{id}', 'Bundle') },
    errors: [404],
  },
  'history-system': { parameters: HISTORY, ok: { 200: fhirResponse('A history Bundle, newest first', 'Bundle') }, errors: [] },
  'history-type': { parameters: HISTORY, ok: { 200: fhirResponse('A history Bundle, newest first', 'Bundle') }, errors: [404] },
  'history-instance': { parameters: HISTORY, ok: { 200: fhirResponse('A history Bundle, newest first', 'Bundle') }, errors: [404] },
  read: {
    parameters: [...PROJECTION, 'If-None-Match', 'If-Modified-Since'],
    ok: { 200: versionResponse('The current version (for Binary: its raw content, unless FHIR JSON is asked for)'), 304: notModified },
    errors: [404, 410],
  },
  vread: {
    parameters: [...PROJECTION, 'If-None-Match', 'If-Modified-Since'],
    ok: { 200: versionResponse('The requested version (for Binary: its raw content, unless FHIR JSON is asked for)'), 304: notModified },
    errors: [404, 410],
  },
  create: {
    parameters: ['Prefer', 'If-None-Exist'],
    body: 'resource',
    ok: { 201: writeResult('Created; the server assigned the id'), 200: writeResult('If-None-Exist matched one resource: it is returned, nothing is created') },
    errors: [404, 412],
  },
  batch: {
    parameters: ['Prefer'],
    body: 'resource',
    ok: { 200: fhirResponse('A batch-response or transaction-response Bundle: one entry per request entry, in the same order', 'Bundle') },
    errors: [404, 409, 412, 413, 422],
  },
  'conditional-update': {
    parameters: ['condition', 'If-Match', 'Prefer'],
    body: 'resource',
    ok: { 200: writeResult('One match: updated'), 201: writeResult('No match: created') },
    errors: [404, 412],
  },
  'conditional-patch': {
    parameters: ['condition', 'If-Match', 'Prefer'],
    body: 'patch',
    ok: { 200: writeResult('One match: patched') },
    errors: [404, 409, 410, 412, 422],
  },
  'conditional-delete': {
    parameters: ['condition', 'Prefer'],
    ok: {
      200: fhirResponse('Matches deleted, or none matched (an informational OperationOutcome)', 'OperationOutcome'),
      204: { description: 'Deleted (Prefer: return=minimal)' },
    },
    errors: [404, 412],
  },
  update: {
    parameters: ['If-Match', 'If-None-Match-update', 'Prefer'],
    body: 'resource',
    ok: { 200: writeResult('Updated: a new version'), 201: writeResult('Created with the client-chosen id') },
    errors: [404, 412],
  },
  patch: {
    parameters: ['If-Match', 'Prefer'],
    body: 'patch',
    ok: { 200: writeResult('Patched: a new version') },
    errors: [404, 409, 410, 412, 422],
  },
  delete: {
    parameters: ['If-Match', 'Prefer'],
    ok: {
      200: fhirResponse('Deleted, or already absent (an informational OperationOutcome)', 'OperationOutcome', { ETag: ref('headers', 'ETag') }),
      204: { description: 'Deleted (Prefer: return=minimal)', headers: { ETag: ref('headers', 'ETag') } },
    },
    errors: [404, 412],
  },
};

const BODIES = { resource: 'Resource', patch: 'Patch', search: 'Search' } as const;

/** Interactions implemented later start from this until they get their own entry above. */
const FALLBACK: InteractionDoc = { parameters: [], ok: { 200: fhirResponse('Success', 'Resource') }, errors: [404] };

const camel = (text: string) => text.replace(/[-_$]+([a-z0-9])/gi, (_m, c: string) => c.toUpperCase()).replace(/^[^a-z]+/i, '');
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function errorResponses(codes: readonly number[]): Record<string, unknown> {
  const all = [...new Set([400, 406, 500, ...codes])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((code) => [String(code), ref('responses', ERROR_RESPONSES[code]!.name)]));
}

function parameterRefs(names: readonly string[]): unknown[] {
  return names.map((name) => ref('parameters', name));
}

/** Path parameters, in path order; `{type}` narrowed when an operation applies to some types only. */
function pathParameters(template: string[], typeParameter: unknown): unknown[] {
  return template
    .filter((segment) => /^\{(type|id|vid|target)\}$/.test(segment))
    .map((segment) => (segment === '{type}' ? typeParameter : ref('parameters', segment.slice(1, -1))));
}

const PRIMITIVE_SCHEMAS: Record<string, Record<string, unknown>> = {
  boolean: { type: 'boolean' },
  integer: { type: 'integer' },
  positiveInt: { type: 'integer', minimum: 1 },
  unsignedInt: { type: 'integer', minimum: 0 },
  decimal: { type: 'number' },
  date: { type: 'string', format: 'date' },
  dateTime: { type: 'string' },
  instant: { type: 'string', format: 'date-time' },
};

function isPrimitive(parameter: OperationDefinitionParameter): boolean {
  return !!parameter.type && !parameter.part && /^[a-z]/.test(parameter.type);
}

function cardinality(parameter: OperationDefinitionParameter): string {
  return `${parameter.min ?? 0}..${parameter.max ?? '1'}`;
}

function queryParameter(parameter: OperationDefinitionParameter): Record<string, unknown> {
  const scalar = PRIMITIVE_SCHEMAS[parameter.type ?? ''] ?? { type: 'string' };
  const repeats = parameter.max !== '1' && parameter.max !== undefined;
  const result: Record<string, unknown> = { name: parameter.name, in: 'query' };
  if (parameter.documentation) result.description = parameter.documentation;
  if ((parameter.min ?? 0) > 0) result.required = true;
  result.schema = repeats ? { type: 'array', items: scalar } : scalar;
  return result;
}

function describeParameters(title: string, parameters: OperationDefinitionParameter[]): string {
  if (parameters.length === 0) return `${title}: none.`;
  const lines = parameters.map((p) => `- \`${p.name}\` (${p.part ? 'parts' : p.type ?? 'any'}, ${cardinality(p)})${p.documentation ? `: ${p.documentation.trim()}` : ''}`);
  return `${title}:\n${lines.join('\n')}`;
}

/** A single `return` output that is a resource is returned bare; anything else is a Parameters. */
function outputSchema(outputs: OperationDefinitionParameter[], resourceTypes: readonly string[]): string {
  const only = outputs.length === 1 ? outputs[0] : undefined;
  if (only?.name !== 'return' || !only.type) return 'Parameters';
  if (only.type === 'Bundle') return 'Bundle';
  return only.type === 'Resource' || resourceTypes.includes(only.type) ? 'Resource' : 'Parameters';
}

interface OperationPath {
  path: string[];
  typeParameter: unknown;
}

/** The concrete path of `operation` on `route`, or undefined when it does not apply there. */
function operationPath(input: OpenApiInput, route: Route, operation: RegisteredOperation): OperationPath | undefined {
  const { definition } = operation;
  if (!definition[route.level]) return undefined;
  if (route.method === 'GET' && !input.operations.allowsGet(operation)) return undefined;
  if (route.path.includes('{vid}') && !operation.versioned) return undefined;
  const path = route.path.map((segment) => (segment === '{operation}' ? `$${definition.code}` : segment));
  if (route.level === 'system') return { path, typeParameter: undefined };
  const types = input.operations.types(operation);
  if (types.length === 0) return undefined;
  if (types.length === 1) return { path: path.map((segment) => (segment === '{type}' ? types[0]! : segment)), typeParameter: undefined };
  const typeParameter =
    types.length === input.resourceTypes.length ? ref('parameters', 'type') : { ...typePathParameter(input.resourceTypes), schema: { type: 'string', enum: [...types] } };
  return { path, typeParameter };
}

/** The types in the id of an operation whose code another one shares ($validate-code on CodeSystem and ValueSet). */
function sharedBy(input: OpenApiInput, operation: RegisteredOperation): string {
  return input.operations.sharesCode(operation) ? input.operations.types(operation).join('') : '';
}

function operationDoc(input: OpenApiInput, route: Route, operation: RegisteredOperation, at: OperationPath): OpenApiOperation {
  const { definition } = operation;
  const code = definition.code!;
  const inputs = (definition.parameter ?? []).filter((p) => p.use === 'in');
  const outputs = (definition.parameter ?? []).filter((p) => p.use === 'out');
  const scope = route.path.includes('{vid}') ? 'version' : route.level;
  const parameters = [...pathParameters(at.path, at.typeParameter), ...parameterRefs(FHIR_QUERY)];
  if (route.method === 'GET') parameters.push(...inputs.filter(isPrimitive).map(queryParameter));
  const errors = route.level === 'system' ? [] : route.level === 'type' ? [404] : [404, 410];
  // An instance operation that changes state can find the resource in the wrong state ($restore of a live one).
  if (definition.affectsState && route.level === 'instance') errors.push(409);
  const result = outputs.map((p) => p.documentation?.trim()).filter(Boolean).join(' ') || 'The operation result';
  const doc: OpenApiOperation = {
    operationId: `${camel(code)}${sharedBy(input, operation)}${capital(scope)}${capital(route.method.toLowerCase())}`,
    summary: `$${code} (${scope} level)${definition.title ? `: ${definition.title}` : ''}`,
    description: [definition.description?.trim(), `Definition: ${definition.url}`, describeParameters('Out', outputs)]
      .filter((text): text is string => !!text)
      .join('\n\n'),
    tags: ['operations'],
    parameters,
    ...(route.method === 'GET' ? {} : { requestBody: parametersBody(describeParameters('Parameters', inputs)) }),
    responses: {
      200: fhirResponse(result, outputSchema(outputs, input.resourceTypes)),
      ...(operation.background?.includes(route.level)
        ? { 202: fhirResponse('Started as a background job: Content-Location names the Task that reports its progress', 'OperationOutcome') }
        : {}),
      ...errorResponses(route.method === 'GET' ? errors : [...errors, ...BODY_ERRORS]),
    },
  };
  return doc;
}

function routeDoc(route: Route, ids: Set<string>): OpenApiOperation {
  const spec = INTERACTIONS[route.interaction] ?? FALLBACK;
  const body = route.method === 'GET' ? undefined : spec.body;
  let operationId = camel(route.interaction);
  if (ids.has(operationId)) operationId += capital(route.method.toLowerCase());
  return {
    operationId,
    summary: route.summary,
    tags: [route.level],
    parameters: [...pathParameters(route.path, ref('parameters', 'type')), ...parameterRefs([...FHIR_QUERY, ...spec.parameters])],
    ...(body ? { requestBody: ref('requestBodies', BODIES[body]) } : {}),
    responses: { ...spec.ok, ...errorResponses(body ? [...spec.errors, ...BODY_ERRORS] : spec.errors) },
  };
}

export function buildOpenApi(input: OpenApiInput): OpenApiDocument {
  const paths: Record<string, OpenApiPathItem> = { ...healthPaths };
  const ids = new Set<string>();
  const add = (path: string[], method: Route['method'], doc: OpenApiOperation) => {
    if (ids.has(doc.operationId)) throw new Error(`openapi: operationId ${doc.operationId} is generated twice`);
    ids.add(doc.operationId);
    const key = `/fhir${path.length ? `/${path.join('/')}` : ''}`;
    const item = (paths[key] ??= {});
    item[method.toLowerCase() as keyof OpenApiPathItem] = doc;
  };
  for (const route of input.routes) {
    if (!route.implemented) continue;
    if (!route.path.includes('{operation}')) {
      add(route.path, route.method, routeDoc(route, ids));
      continue;
    }
    for (const operation of input.operations.all()) {
      const at = operationPath(input, route, operation);
      if (at) add(at.path, route.method, operationDoc(input, route, operation, at));
    }
  }
  return {
    openapi: '3.0.3',
    info: info(input.version),
    servers: [{ url: 'http://localhost:8080', description: 'npm start or docker compose' }],
    tags: TAGS,
    paths,
    components: components(input.resourceTypes),
  };
}
