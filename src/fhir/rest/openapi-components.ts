/**
 * Shared parts of the OpenAPI document: component schemas, parameters, headers and error
 * responses, the health paths and the document info. openapi.ts builds the paths from them.
 */
import type { OpenApiPathItem } from './openapi';

export type Json = Record<string, unknown>;

export const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name}` });
export const FHIR_JSON = 'application/fhir+json';
export const fhirContent = (schema: string) => ({ [FHIR_JSON]: { schema: ref('schemas', schema) } });

export function fhirResponse(description: string, schema: string, headers?: Json): Json {
  return headers ? { description, headers, content: fhirContent(schema) } : { description, content: fhirContent(schema) };
}

export const versionHeaders = () => ({ ETag: ref('headers', 'ETag'), 'Last-Modified': ref('headers', 'Last-Modified') });
export const versionResponse = (description: string) => fhirResponse(description, 'Resource', versionHeaders());
export const notModified = { description: 'Not modified (If-None-Match / If-Modified-Since)', headers: versionHeaders() };

/** The answer to create/update: the resource, an OperationOutcome or nothing, as Prefer asks. */
export function writeResult(description: string): Json {
  return {
    description: `${description}. The body follows Prefer: the resource (default), an OperationOutcome, or none.`,
    headers: { ...versionHeaders(), Location: ref('headers', 'Location') },
    content: { [FHIR_JSON]: { schema: { oneOf: [ref('schemas', 'Resource'), ref('schemas', 'OperationOutcome')] } } },
  };
}

export const ERROR_RESPONSES: Record<number, { name: string; description: string }> = {
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

export function typePathParameter(resourceTypes: readonly string[], name = 'type', description = 'A FHIR R4 resource type'): Json {
  return { name, in: 'path', required: true, description, schema: { type: 'string', enum: [...resourceTypes] } };
}

export const header = (name: string, description: string, schema: Json = { type: 'string' }) => ({ name, in: 'header', description, schema });
export const query = (name: string, description: string, schema: Json = { type: 'string' }) => ({ name, in: 'query', description, schema });

export function parameterComponents(resourceTypes: readonly string[]): Json {
  return {
    type: typePathParameter(resourceTypes),
    id: { name: 'id', in: 'path', required: true, description: 'Logical id', schema: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' } },
    target: typePathParameter(resourceTypes, 'target', 'The resource type searched inside the compartment'),
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
    'If-None-Exist': header('If-None-Exist', 'Conditional create: a search query (any search parameter of the type); an existing match is returned with 200 instead', { type: 'string', example: 'identifier=http://example.org/mrn|123' }),
    condition: {
      name: 'condition',
      in: 'query',
      description: 'The condition: search parameters of the type (e.g. identifier=http://example.org/mrn|123); unknown parameters are refused (400)',
      style: 'form',
      explode: true,
      schema: { type: 'object', additionalProperties: { type: 'string' } },
    },
    'search-parameters': {
      name: 'search',
      in: 'query',
      description: 'Search parameters of the type (see the CapabilityStatement), with modifiers (name:exact), prefixes (ge2020), chains (subject:Patient.name) and _has',
      style: 'form',
      explode: true,
      schema: { type: 'object', additionalProperties: { type: 'string' } },
    },
    _type: query('_type', 'Comma-separated resource types to search (default: all); with several, only parameters they all have', { type: 'string', example: 'Patient,Practitioner' }),
    _sort: query('_sort', 'Comma-separated sort keys; a leading - sorts descending; missing values sort last', { type: 'string', example: '-date,_id' }),
    _total: query('_total', 'Whether to count all matches', { type: 'string', enum: ['none', 'estimate', 'accurate'] }),
    _include: query('_include', 'Also return resources the matches refer to (Type:parameter[:target]); _include:iterate follows them further', { type: 'string', example: 'Observation:subject' }),
    _revinclude: query('_revinclude', 'Also return resources that refer to the matches (Type:parameter)', { type: 'string', example: 'Provenance:target' }),
    'Prefer-handling': header('Prefer', 'handling=strict refuses unknown parameters (400); lenient (default) ignores and reports them', { type: 'string', enum: ['handling=strict', 'handling=lenient'] }),
    Prefer: header('Prefer', 'What to return after a write', { type: 'string', enum: ['return=minimal', 'return=representation', 'return=OperationOutcome'] }),
  };
}

export const coding = { type: 'object', properties: { system: { type: 'string' }, version: { type: 'string' }, code: { type: 'string' }, display: { type: 'string' } } };
export const resourceOf = (type: string, properties: Json, required: string[] = []) => ({
  type: 'object',
  required: ['resourceType', ...required],
  properties: { resourceType: { type: 'string', enum: [type] }, id: { type: 'string' }, meta: ref('schemas', 'Meta'), ...properties },
  additionalProperties: true,
});

export const SCHEMAS: Json = {
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

export function components(resourceTypes: readonly string[]): Record<string, Json> {
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
      Search: {
        required: false,
        description: 'Search parameters as a form (the same names and values as in the URL)',
        content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', additionalProperties: { type: 'string' } } } },
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

export function parametersBody(description: string): Json {
  return { required: true, description, content: fhirContent('Parameters') };
}

export const health = (summary: string, ok: string, failure?: Json): OpenApiPathItem => ({
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

export const healthPaths: Record<string, OpenApiPathItem> = {
  '/healthz': health('Liveness', 'The process is up: {"status":"ok"}'),
  '/readyz': health('Readiness', 'The store answers: {"status":"ready"}', {
    503: {
      description: 'The store is unreachable',
      content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string' }, reason: { type: 'string' } } } } },
    },
  }),
};

export const TAGS = [
  { name: 'health', description: 'Liveness and readiness probes (outside the FHIR base)' },
  { name: 'system', description: 'System-level FHIR interactions' },
  { name: 'type', description: 'Type-level FHIR interactions' },
  { name: 'instance', description: 'Instance-level FHIR interactions' },
  { name: 'operations', description: 'FHIR operations ($...), generated from their OperationDefinitions' },
];

export function info(version: string): Json {
  return {
    title: 'Baobab FHIR R4 server',
    version,
    description:
      'FHIR R4 (4.0.1) REST API. Generated from the route table and the operation registry by `npm run openapi`; do not edit by hand. ' +
      'Resources are referenced generically; see http://hl7.org/fhir/R4/ for each resource type. Errors are OperationOutcome resources.',
  };
}
