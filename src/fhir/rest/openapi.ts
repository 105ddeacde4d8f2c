/**
 * The OpenAPI 3.0 description of the REST surface, derived (DESIGN.md §7) from the
 * route table, the operation registry and the resource types: nothing is listed by hand
 * twice. Pure: no database, no clock, so the committed openapi.yaml can be checked for drift.
 */
import type { OperationDefinitionParameter } from '@medplum/fhirtypes';
import type { OperationRegistry, RegisteredOperation } from '../operations/registry';
import type { Route } from './routes';

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

type Json = Record<string, unknown>;

const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name}` });
const FHIR_JSON = 'application/fhir+json';
const fhirContent = (schema: string) => ({ [FHIR_JSON]: { schema: ref('schemas', schema) } });

function fhirResponse(description: string, schema: string, headers?: Json): Json {
  return headers ? { description, headers, content: fhirContent(schema) } : { description, content: fhirContent(schema) };
}

const versionHeaders = () => ({ ETag: ref('headers', 'ETag'), 'Last-Modified': ref('headers', 'Last-Modified') });
const versionResponse = (description: string) => fhirResponse(description, 'Resource', versionHeaders());
const notModified = { description: 'Not modified (If-None-Match / If-Modified-Since)', headers: versionHeaders() };

/** The answer to create/update: the resource, an OperationOutcome or nothing, as Prefer asks. */
function writeResult(description: string): Json {
  return {
    description: `${description}. The body follows Prefer: the resource (default), an OperationOutcome, or none.`,
    headers: { ...versionHeaders(), Location: ref('headers', 'Location') },
    content: { [FHIR_JSON]: { schema: { oneOf: [ref('schemas', 'Resource'), ref('schemas', 'OperationOutcome')] } } },
  };
}

const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'Invalid request or resource' },
  404: { name: 'NotFound', description: 'Unknown resource type, resource, version or operation' },
  405: { name: 'MethodNotAllowed', description: 'Method not allowed on this path (see Allow)' },
  406: { name: 'NotAcceptable', description: 'The requested format (_format or Accept) cannot be produced' },
  409: { name: 'Conflict', description: 'The resource kept changing concurrently; retry' },
  410: { name: 'Gone', description: 'The resource (or version) was deleted' },
  412: { name: 'PreconditionFailed', description: 'If-Match did not match the current version, or the resource already exists' },
  413: { name: 'PayloadTooLarge', description: 'The request body is too large' },
  415: { name: 'UnsupportedMediaType', description: 'The request body is not FHIR JSON (or, for PATCH, not JSON Patch or FHIR JSON)' },
  422: { name: 'UnprocessableEntity', description: 'The patch cannot be applied to the resource, or its result is not a valid resource' },
  500: { name: 'ServerError', description: 'Internal error' },
  501: { name: 'NotImplemented', description: 'Not implemented yet (e.g. transaction Bundles)' },
};

function typePathParameter(resourceTypes: readonly string[]): Json {
  return { name: 'type', in: 'path', required: true, description: 'A FHIR R4 resource type', schema: { type: 'string', enum: [...resourceTypes] } };
}

const header = (name: string, description: string, schema: Json = { type: 'string' }) => ({ name, in: 'header', description, schema });
const query = (name: string, description: string, schema: Json = { type: 'string' }) => ({ name, in: 'query', description, schema });

function parameterComponents(resourceTypes: readonly string[]): Json {
  return {
    type: typePathParameter(resourceTypes),
    id: { name: 'id', in: 'path', required: true, description: 'Logical id', schema: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' } },
    vid: { name: 'vid', in: 'path', required: true, description: 'Version id (an integer)', schema: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
    _format: query('_format', 'Response format, overriding Accept: json, application/fhir+json or application/json', { type: 'string', example: 'json' }),
    _pretty: query('_pretty', 'Indent the response', { type: 'boolean' }),
    _summary: query('_summary', 'Return only a summary of the resource', { type: 'string', enum: ['true', 'text', 'data', 'false'] }),
    _elements: query('_elements', 'Comma-separated top-level elements to return', { type: 'string', example: 'name,birthDate' }),
    mode: query('mode', 'Only full is supported', { type: 'string', enum: ['full'] }),
    _count: query('_count', 'Page size (capped by the server)', { type: 'integer', minimum: 0 }),
    _since: query('_since', 'Only versions changed after this instant', { type: 'string', format: 'date-time' }),
    _at: query('_at', 'Only versions current at this date or time'),
    _page: query('_page', 'Opaque page cursor, as given in the next link'),
    'If-Match': header('If-Match', 'Only act if the current version has this ETag (412 otherwise)', { type: 'string', example: 'W/"1"' }),
    'If-None-Match': header('If-None-Match', 'Conditional read: 304 when the version has one of these ETags', { type: 'string', example: 'W/"1"' }),
    'If-None-Match-update': header('If-None-Match', 'Create only if absent (412 when it exists)', { type: 'string', enum: ['*'] }),
    'If-Modified-Since': header('If-Modified-Since', 'Conditional read: 304 when not modified since (HTTP date)', { type: 'string', example: 'Wed, 21 Oct 2015 07:28:00 GMT' }),
    'If-None-Exist': header('If-None-Exist', 'Conditional create: a query (_id, identifier); an existing match is returned with 200 instead', { type: 'string', example: 'identifier=http://example.org/mrn|123' }),
    'condition-_id': query('_id', 'Condition: logical id(s), comma-separated'),
    'condition-identifier': query('identifier', 'Condition: identifier token (system|value, value, |value or system|)', { type: 'string', example: 'http://example.org/mrn|123' }),
    Prefer: header('Prefer', 'What to return after a write', { type: 'string', enum: ['return=minimal', 'return=representation', 'return=OperationOutcome'] }),
  };
}

const coding = { type: 'object', properties: { system: { type: 'string' }, version: { type: 'string' }, code: { type: 'string' }, display: { type: 'string' } } };
const resourceOf = (type: string, properties: Json, required: string[] = []) => ({
  type: 'object',
  required: ['resourceType', ...required],
  properties: { resourceType: { type: 'string', enum: [type] }, id: { type: 'string' }, meta: ref('schemas', 'Meta'), ...properties },
  additionalProperties: true,
});

const SCHEMAS: Json = {
  Resource: {
    type: 'object',
    description: 'Any FHIR R4 resource (see http://hl7.org/fhir/R4/fhir.schema.json)',
    required: ['resourceType'],
    properties: { resourceType: { type: 'string' }, id: { type: 'string' }, meta: ref('schemas', 'Meta') },
    additionalProperties: true,
  },
  Coding: coding,
  Meta: {
    type: 'object',
    properties: {
      versionId: { type: 'string' },
      lastUpdated: { type: 'string', format: 'date-time' },
      profile: { type: 'array', items: { type: 'string' } },
      security: { type: 'array', items: ref('schemas', 'Coding') },
      tag: { type: 'array', items: ref('schemas', 'Coding') },
    },
  },
  OperationOutcome: resourceOf(
    'OperationOutcome',
    {
      issue: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['severity', 'code'],
          properties: {
            severity: { type: 'string', enum: ['fatal', 'error', 'warning', 'information'] },
            code: { type: 'string', description: 'http://hl7.org/fhir/ValueSet/issue-type' },
            diagnostics: { type: 'string' },
            expression: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    ['issue'],
  ),
  Bundle: resourceOf(
    'Bundle',
    {
      type: { type: 'string' },
      total: { type: 'integer' },
      link: { type: 'array', items: { type: 'object', properties: { relation: { type: 'string' }, url: { type: 'string' } } } },
      entry: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            fullUrl: { type: 'string' },
            resource: ref('schemas', 'Resource'),
            request: { type: 'object', properties: { method: { type: 'string' }, url: { type: 'string' } } },
            response: {
              type: 'object',
              properties: { status: { type: 'string' }, etag: { type: 'string' }, lastModified: { type: 'string', format: 'date-time' } },
            },
          },
        },
      },
    },
    ['type'],
  ),
  Parameters: resourceOf('Parameters', {
    parameter: {
      type: 'array',
      items: {
        type: 'object',
        description: 'name plus one value[x], a resource, or parts',
        required: ['name'],
        properties: { name: { type: 'string' }, resource: ref('schemas', 'Resource'), part: { type: 'array', items: { type: 'object' } } },
        additionalProperties: true,
      },
    },
  }),
  JsonPatch: {
    type: 'array',
    description: 'RFC 6902 operations, applied in order; all or nothing',
    items: {
      type: 'object',
      required: ['op', 'path'],
      properties: {
        op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
        path: { type: 'string', description: 'JSON Pointer (RFC 6901)' },
        from: { type: 'string', description: 'JSON Pointer, for move and copy' },
        value: { description: 'For add, replace and test' },
      },
    },
  },
  CapabilityStatement: resourceOf('CapabilityStatement', { fhirVersion: { type: 'string' }, rest: { type: 'array', items: { type: 'object' } } }, [
    'fhirVersion',
  ]),
};

function components(resourceTypes: readonly string[]): Record<string, Json> {
  const responses = Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(({ name, description }) => [name, fhirResponse(`${description} (an OperationOutcome)`, 'OperationOutcome')]),
  );
  return {
    parameters: parameterComponents(resourceTypes),
    headers: {
      ETag: { description: 'The version, as a weak ETag: W/"n"', schema: { type: 'string' } },
      'Last-Modified': { description: 'When the version was written (HTTP date)', schema: { type: 'string' } },
      Location: { description: 'The URL of the new version: [base]/[type]/[id]/_history/[vid]', schema: { type: 'string' } },
    },
    requestBodies: {
      Resource: {
        required: true,
        description: 'The resource, as FHIR JSON; its resourceType must match the path (and its id, for an update). Binary also accepts its raw content, with that content type',
        content: { [FHIR_JSON]: { schema: ref('schemas', 'Resource') }, 'application/json': { schema: ref('schemas', 'Resource') } },
      },
      Patch: {
        required: true,
        description:
          'A JSON Patch document (RFC 6902) as application/json-patch+json, or a FHIRPath Patch (http://hl7.org/fhir/R4/fhirpatch.html) ' +
          'as a Parameters resource in FHIR JSON. The patch may not change the id or the resourceType.',
        content: {
          'application/json-patch+json': { schema: ref('schemas', 'JsonPatch') },
          [FHIR_JSON]: { schema: ref('schemas', 'Parameters') },
        },
      },
    },
    responses,
    schemas: SCHEMAS,
  };
}

function parametersBody(description: string): Json {
  return { required: true, description, content: fhirContent('Parameters') };
}

const health = (summary: string, ok: string, failure?: Json): OpenApiPathItem => ({
  get: {
    operationId: summary === 'Liveness' ? 'healthz' : 'readyz',
    summary,
    tags: ['health'],
    responses: {
      200: { description: ok, content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string' } } } } } },
      ...(failure ?? {}),
    },
  },
});

const healthPaths: Record<string, OpenApiPathItem> = {
  '/healthz': health('Liveness', 'The process is up: {"status":"ok"}'),
  '/readyz': health('Readiness', 'The store answers: {"status":"ready"}', {
    503: {
      description: 'The store is unreachable',
      content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string' }, reason: { type: 'string' } } } } },
    },
  }),
};

const TAGS = [
  { name: 'health', description: 'Liveness and readiness probes (outside the FHIR base)' },
  { name: 'system', description: 'System-level FHIR interactions' },
  { name: 'type', description: 'Type-level FHIR interactions' },
  { name: 'instance', description: 'Instance-level FHIR interactions' },
  { name: 'operations', description: 'FHIR operations ($...), generated from their OperationDefinitions' },
];

function info(version: string): Json {
  return {
    title: 'Baobab FHIR R4 server',
    version,
    description:
      'FHIR R4 (4.0.1) REST API. Generated from the route table and the operation registry by `npm run openapi`; do not edit by hand. ' +
      'Resources are referenced generically; see http://hl7.org/fhir/R4/ for each resource type. Errors are OperationOutcome resources.',
  };
}

/** What each interaction accepts and answers, beyond the parameters every FHIR route takes. */
interface InteractionDoc {
  parameters: string[];
  body?: 'resource' | 'patch';
  ok: Record<string, unknown>;
  errors: number[];
}

const FHIR_QUERY = ['_format', '_pretty'];
const PROJECTION = ['_summary', '_elements'];
const HISTORY = ['_count', '_since', '_at', '_page'];
const BODY_ERRORS = [413, 415];

const INTERACTIONS: Record<string, InteractionDoc> = {
  capabilities: { parameters: ['mode'], ok: { 200: fhirResponse('The CapabilityStatement', 'CapabilityStatement') }, errors: [] },
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
    parameters: ['condition-_id', 'condition-identifier', 'If-Match', 'Prefer'],
    body: 'resource',
    ok: { 200: writeResult('One match: updated'), 201: writeResult('No match: created') },
    errors: [404, 412],
  },
  'conditional-patch': {
    parameters: ['condition-_id', 'condition-identifier', 'If-Match', 'Prefer'],
    body: 'patch',
    ok: { 200: writeResult('One match: patched') },
    errors: [404, 409, 410, 412, 422],
  },
  'conditional-delete': {
    parameters: ['condition-_id', 'condition-identifier', 'Prefer'],
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
    .filter((segment) => /^\{(type|id|vid)\}$/.test(segment))
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

function operationDoc(input: OpenApiInput, route: Route, operation: RegisteredOperation, at: OperationPath): OpenApiOperation {
  const { definition } = operation;
  const code = definition.code!;
  const inputs = (definition.parameter ?? []).filter((p) => p.use === 'in');
  const outputs = (definition.parameter ?? []).filter((p) => p.use === 'out');
  const scope = route.path.includes('{vid}') ? 'version' : route.level;
  const parameters = [...pathParameters(at.path, at.typeParameter), ...parameterRefs(FHIR_QUERY)];
  if (route.method === 'GET') parameters.push(...inputs.filter(isPrimitive).map(queryParameter));
  const errors = route.level === 'system' ? [] : route.level === 'type' ? [404] : [404, 410];
  const result = outputs.map((p) => p.documentation?.trim()).filter(Boolean).join(' ') || 'The operation result';
  const doc: OpenApiOperation = {
    operationId: `${camel(code)}${capital(scope)}${capital(route.method.toLowerCase())}`,
    summary: `$${code} (${scope} level)${definition.title ? `: ${definition.title}` : ''}`,
    description: [definition.description?.trim(), `Definition: ${definition.url}`, describeParameters('Out', outputs)]
      .filter((text): text is string => !!text)
      .join('\n\n'),
    tags: ['operations'],
    parameters,
    ...(route.method === 'GET' ? {} : { requestBody: parametersBody(describeParameters('Parameters', inputs)) }),
    responses: {
      200: fhirResponse(result, outputSchema(outputs, input.resourceTypes)),
      ...errorResponses(route.method === 'GET' ? errors : [...errors, ...BODY_ERRORS]),
    },
  };
  return doc;
}

function routeDoc(route: Route, ids: Set<string>): OpenApiOperation {
  const spec = INTERACTIONS[route.interaction] ?? FALLBACK;
  let operationId = camel(route.interaction);
  if (ids.has(operationId)) operationId += capital(route.method.toLowerCase());
  return {
    operationId,
    summary: route.summary,
    tags: [route.level],
    parameters: [...pathParameters(route.path, ref('parameters', 'type')), ...parameterRefs([...FHIR_QUERY, ...spec.parameters])],
    ...(spec.body ? { requestBody: ref('requestBodies', spec.body === 'patch' ? 'Patch' : 'Resource') } : {}),
    responses: { ...spec.ok, ...errorResponses(spec.body ? [...spec.errors, ...BODY_ERRORS] : spec.errors) },
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
