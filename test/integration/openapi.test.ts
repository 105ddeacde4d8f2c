import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';
import { buildOpenApi } from '../../src/fhir/rest/openapi';
import type { OpenApiDocument, OpenApiOperation } from '../../src/fhir/rest/openapi';
import { OPENAPI_PATH, generateOpenApi, generateOpenApiYaml, toYaml } from '../../src/fhir/rest/openapi-cli';
import { ROUTES } from '../../src/fhir/rest/routes';

let server: TestServer;
let doc: OpenApiDocument;
beforeAll(async () => {
  server = await startTestServer();
  doc = generateOpenApi();
});
afterAll(async () => {
  await server?.close();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operations(document: OpenApiDocument): Array<{ path: string; method: (typeof METHODS)[number]; op: OpenApiOperation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, op: item[method]! })),
  );
}

/** Follows a local `$ref` such as `#/components/responses/NotFound`. */
function resolveRef(document: OpenApiDocument, pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else refsIn(child, found);
    }
  }
  return found;
}

describe('openapi.yaml', () => {
  it('is committed and equal to a freshly generated one (run `npm run openapi` after changing routes or operations)', () => {
    const committed = readFileSync(OPENAPI_PATH, 'utf8');
    expect(committed).toBe(generateOpenApiYaml());
  });

  it('describes what the running container registers, not a parallel registry', () => {
    const { container } = server;
    const live = buildOpenApi({
      routes: ROUTES,
      operations: container.fhir.operations,
      resourceTypes: container.definitions.resourceTypes,
      version: doc.info.version as string,
    });
    expect(live).toEqual(doc);
  });

  it('is self-consistent: refs resolve, operationIds are unique, path templates declare their parameters', () => {
    for (const pointer of new Set(refsIn(doc))) expect(resolveRef(doc, pointer), pointer).toBeDefined();
    const ids = operations(doc).map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of operations(doc)) {
      const declared = (op.parameters ?? [])
        .map((p) => ((p as { $ref?: string }).$ref ? resolveRef(doc, (p as { $ref: string }).$ref) : p) as { name: string; in: string })
        .filter((p) => p.in === 'path')
        .map((p) => p.name);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(declared, `${method} ${path}`).toEqual(templated);
      expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });

  it('lists implemented routes and operations only, with every resource type', () => {
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/fhir/metadata', '/fhir/_history', '/fhir/{type}', '/fhir/{type}/{id}']));
    expect(paths).toEqual(expect.arrayContaining(['/fhir/$meta', '/fhir/{type}/$meta', '/fhir/{type}/{id}/$meta-add', '/fhir/{type}/{id}/_history/{vid}/$meta']));
    // Type and system search (GET, and POST with a form).
    expect(doc.paths['/fhir/{type}']!.get).toBeDefined();
    expect(doc.paths['/fhir/{type}/_search']!.post).toBeDefined();
    expect(doc.paths['/fhir']!.get).toBeDefined();
    expect(doc.paths['/fhir/_search']!.post).toBeDefined();
    expect(doc.paths['/fhir']!.post).toBeDefined();
    expect(doc.paths['/fhir/{type}/{id}']!.patch).toBeDefined();
    // $meta-add changes state: POST only.
    expect(doc.paths['/fhir/{type}/{id}/$meta-add']!.get).toBeUndefined();
    expect(doc.paths['/fhir/{type}/{id}/$meta-add']!.post).toBeDefined();
    expect(doc.paths['/fhir/$meta-add']).toBeUndefined();
    const typeParameter = doc.components.parameters!.type as { schema: { enum: string[] } };
    expect(typeParameter.schema.enum).toHaveLength(146);
    expect(typeParameter.schema.enum).toEqual(expect.arrayContaining(['Patient', 'Practitioner', 'Binary', 'Parameters']));
  });

  it('renders YAML that keeps strings strings', () => {
    expect(toYaml({ a: 'true', b: '200', c: '#/x', d: 'plain text', e: [], f: {}, g: [{ h: 1, i: [true] }], j: 'x: y', k: '' })).toBe(
      'a: "true"\nb: "200"\nc: "#/x"\nd: plain text\ne: []\nf: {}\ng:\n  - h: 1\n    i:\n      - true\nj: "x: y"\nk: ""\n',
    );
  });
});

describe('the documented paths exist on the real app', () => {
  it('answers 200 on every GET without path parameters', async () => {
    const plain = operations(doc).filter(({ path, method }) => method === 'get' && !path.includes('{'));
    expect(plain.map(({ path }) => path)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/fhir/metadata', '/fhir/_history', '/fhir/$meta']));
    // Operations whose inputs name what they work on get a query that names an R4 core resource.
    const gender = 'system=http://hl7.org/fhir/administrative-gender';
    const queries: Record<string, string> = {
      '/fhir/ValueSet/$expand': 'url=http://hl7.org/fhir/ValueSet/administrative-gender',
      '/fhir/ValueSet/$validate-code': `url=http://hl7.org/fhir/ValueSet/administrative-gender&${gender}&code=male`,
      '/fhir/CodeSystem/$validate-code': 'url=http://hl7.org/fhir/administrative-gender&code=male',
      '/fhir/CodeSystem/$lookup': `${gender}&code=male`,
      '/fhir/CodeSystem/$subsumes': `${gender}&codeA=male&codeB=male`,
      '/fhir/ConceptMap/$translate': `url=http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v2&${gender}&code=male`,
      '/fhir/Practitioner/$verify-license': 'license-number=BAO-DOC-2026-00001',
    };
    for (const { path } of plain) {
      const res = await server.request.get(queries[path] ? `${path}?${queries[path]}` : path);
      expect(res.status, path).toBe(200);
    }
  });

  it('routes every templated path and answers with a documented status', async () => {
    const created = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', active: true });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const concrete = (path: string, op: OpenApiOperation) =>
      path.replace('{type}', 'Patient').replace('{id}', id).replace('{vid}', '1').replace('{target}', 'Observation') + (op.operationId.startsWith('conditional') ? `?_id=${id}` : '');
    const metaParameters = { resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: { tag: [{ system: 'urn:test', code: 'openapi' }] } }] };
    // Bodies that make each documented call succeed; operations added later get an empty Parameters.
    const bodyFor = (op: OpenApiOperation) => {
      if (op.operationId === 'create') return { resourceType: 'Patient', active: false };
      if (op.operationId === 'batch') return { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'metadata' } }] };
      if (op.operationId === 'update' || op.operationId === 'conditionalUpdate') return { resourceType: 'Patient', id, active: true };
      return /^meta(Add|Delete)/.test(op.operationId) ? metaParameters : { resourceType: 'Parameters' };
    };
    const known = (op: OpenApiOperation) => !op.tags.includes('operations') || op.operationId.startsWith('meta');
    // Deletes last, so the other calls see the resource.
    const all = operations(doc).filter(({ path }) => path.startsWith('/fhir'));
    const ordered = [...all.filter(({ method }) => method !== 'delete'), ...all.filter(({ method }) => method === 'delete')];
    expect(ordered.length).toBeGreaterThan(15);
    for (const { path, method, op } of ordered) {
      const url = concrete(path, op);
      let res: Response;
      if (op.operationId === 'searchType' || op.operationId === 'searchSystemPost') {
        res = await server.request.post(url).type('form').send(`_id=${id}`);
      } else if (method === 'post' || method === 'put') {
        res = await server.request[method](url).set('Content-Type', FHIR_JSON).send(bodyFor(op));
      } else if (method === 'patch') {
        res = await server.request.patch(url).set('Content-Type', 'application/json-patch+json').send('[{"op":"replace","path":"/active","value":false}]');
      } else {
        res = await server.request[method](url);
      }
      const where = `${method.toUpperCase()} ${url} (${op.operationId}): ${JSON.stringify(res.body).slice(0, 300)}`;
      expect(JSON.stringify(res.body), where).not.toMatch(/No FHIR route|not allowed on this path/);
      expect(Object.keys(op.responses), where).toContain(String(res.status));
      if (known(op)) expect(res.status, where).toBeLessThan(300);
      if (res.body?.resourceType) expect(res.headers['content-type'], where).toMatch(/^application\/fhir\+json/);
    }
    expect((await server.request.get(`/fhir/Patient/${id}`)).status).toBe(410);
  });

  it('documents the statuses the server gives for common errors', async () => {
    const id = (await server.request.post('/fhir/Patient').send({ resourceType: 'Patient' })).body.id as string;
    type Case = { path: string; method: 'get' | 'post' | 'put' | 'delete'; url: string; status: number; headers?: Record<string, string>; body?: string | object };
    const cases: Case[] = [
      { path: '/fhir/{type}/{id}', method: 'get', url: '/fhir/Patient/does-not-exist', status: 404 },
      { path: '/fhir/{type}/{id}', method: 'get', url: '/fhir/NotAType/x', status: 404 },
      { path: '/fhir/{type}/{id}/_history/{vid}', method: 'get', url: '/fhir/Patient/does-not-exist/_history/1', status: 404 },
      { path: '/fhir/_history', method: 'get', url: '/fhir/_history?_count=abc', status: 400 },
      { path: '/fhir/{type}', method: 'post', url: '/fhir/Patient', status: 400, body: { resourceType: 'Patient', bogus: 1 } },
      { path: '/fhir/{type}/{id}', method: 'put', url: `/fhir/Patient/${id}`, status: 412, headers: { 'If-Match': 'W/"9"' }, body: { resourceType: 'Patient', id } },
      { path: '/fhir/{type}/{id}', method: 'put', url: `/fhir/Patient/${id}`, status: 415, headers: { 'Content-Type': 'text/plain' }, body: 'hello' },
      { path: '/fhir/{type}/{id}', method: 'delete', url: `/fhir/Patient/${id}`, status: 412, headers: { 'If-Match': 'W/"9"' } },
      { path: '/fhir/metadata', method: 'get', url: '/fhir/metadata?_format=xml', status: 406 },
    ];
    for (const c of cases) {
      let req = server.request[c.method](c.url);
      for (const [name, value] of Object.entries(c.headers ?? {})) req = req.set(name, value);
      const res = c.body === undefined ? await req : await req.send(c.body);
      const where = `${c.method.toUpperCase()} ${c.url} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      expect(res.status, where).toBe(c.status);
      expect(Object.keys(doc.paths[c.path]![c.method]!.responses), where).toContain(String(c.status));
      expect(res.body.resourceType, where).toBe('OperationOutcome');
    }
  });
});
