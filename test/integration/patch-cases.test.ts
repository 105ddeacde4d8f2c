/**
 * The official patch cases (../shared/data/fhir-test-cases/r4/patch), each over HTTP: the input
 * is stored with PUT, the patch is sent with PATCH, and the read-back is compared with the
 * expected output (meta.versionId/lastUpdated ignored); an error case must answer a 4xx
 * OperationOutcome and leave the resource and its history as they were.
 *
 * JSON Patch (16 cases): the documents are plain JSON, not FHIR (`{"foo": ["bar", 2]}`, keys
 * `/` and `~1`, nested and mixed arrays), so no valid FHIR resource can hold them. They run on a
 * server whose ResourceService has a pass-through schema validator, each document stored as a
 * `Basic` with the case's members at the top level; everything else (routing, body reading,
 * If-Match/versioning, the store) is the real path. That a patch giving an invalid resource is
 * refused on the normal server is tested in patch.test.ts.
 *
 * FHIRPath Patch (33 cases), on the normal, validating server. Each input gets an id of its own
 * (two cases share `example`, most have none). Normalisation, only what the source format needs:
 * - `fhir_comments` (XML comments the XML→JSON conversion kept, "Full Resource"; R4 JSON has no
 *   comments and the R4 schema rejects them) are dropped from input and expected output,
 *   together with the objects that only held them (`_gender`, `period._start`);
 * - `text.div` is compared with whitespace between tags removed and other runs collapsed: in the
 *   XML source that whitespace is insignificant indentation, and the expected JSON output keeps
 *   a different indentation from the one in the patch value ("Full Resource").
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';
import { ResourceService } from '../../src/fhir/resource-service';

const CASES = fileURLToPath(new URL('../../../shared/data/fhir-test-cases/r4/patch/', import.meta.url));

interface JsonPatchCase {
  comment: string;
  doc: Record<string, unknown>;
  patch: unknown[];
  expected?: Record<string, unknown>;
  error?: string;
}

interface FhirPatchCase {
  name: string;
  mode: string;
  input: Record<string, unknown>;
  diff: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: string;
}

const jsonPatchCases = JSON.parse(readFileSync(`${CASES}json-patch-tests.json`, 'utf8')) as JsonPatchCase[];
const fhirPatchCases = (JSON.parse(readFileSync(`${CASES}fhir-patch-tests.json`, 'utf8')) as { cases: FhirPatchCase[] }).cases;

const JSON_PATCH = 'application/json-patch+json';

/** The resource without the server-owned meta.versionId/lastUpdated (and meta if nothing else is left). */
function withoutVersionMeta(resource: Record<string, unknown>): Record<string, unknown> {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = (meta ?? {}) as Record<string, unknown>;
  return Object.keys(otherMeta).length > 0 ? { ...rest, meta: otherMeta } : rest;
}

/** Drops `fhir_comments` members and objects left empty by that (see the header). */
function withoutComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'fhir_comments') continue;
    const cleaned = withoutComments(child);
    if (cleaned !== null && typeof cleaned === 'object' && !Array.isArray(cleaned) && Object.keys(cleaned).length === 0) continue;
    out[key] = cleaned;
  }
  return out;
}

const divWhitespace = (div: string) => div.replace(/>\s+</g, '><').replace(/\s+/g, ' ');

function normaliseDiv(resource: Record<string, unknown>): Record<string, unknown> {
  const text = resource.text as { div?: string } | undefined;
  return typeof text?.div === 'string' ? { ...resource, text: { ...text, div: divWhitespace(text.div) } } : resource;
}

async function historyCount(server: TestServer, type: string, id: string): Promise<number> {
  const res = await server.request.get(`/fhir/${type}/${id}/_history`);
  expect(res.status).toBe(200);
  return (res.body.entry ?? []).length;
}

describe('the 16 official JSON Patch cases over HTTP (json-patch-tests.json)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    // The case documents are not FHIR resources: see the header.
    const { store, definitions } = server.container;
    server.container.fhir.service = new ResourceService(store, definitions, { validate: () => [] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('has the 16 cases, 4 of them errors', () => {
    expect(jsonPatchCases).toHaveLength(16);
    expect(jsonPatchCases.filter((c) => c.error !== undefined)).toHaveLength(4);
  });

  it.each(jsonPatchCases.map((c, i) => [c.comment, i, c] as const))('%s', async (_comment, i, c) => {
    const id = `json-patch-${i}`;
    const stored = { resourceType: 'Basic', id, ...c.doc };
    const put = await server.request.put(`/fhir/Basic/${id}`).set('Content-Type', FHIR_JSON).send(stored);
    expect(put.status, JSON.stringify(put.body)).toBe(201);

    const res = await server.request.patch(`/fhir/Basic/${id}`).set('Content-Type', JSON_PATCH).send(JSON.stringify(c.patch));
    const after = await server.request.get(`/fhir/Basic/${id}`);
    expect(after.status).toBe(200);
    const { resourceType: _t, id: _id, ...content } = withoutVersionMeta(after.body);
    if (c.error !== undefined) {
      expect(res.status, `${c.error}: ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0]).toMatchObject({ severity: 'error', code: 'processing' });
      expect(content).toEqual(c.doc);
      expect(after.body.meta.versionId).toBe('1');
      expect(await historyCount(server, 'Basic', id)).toBe(1);
    } else {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers.etag).toBe('W/"2"');
      expect(content).toEqual(c.expected);
    }
  });
});

describe('the 33 official FHIRPath Patch cases over HTTP (fhir-patch-tests.json)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('has the 33 cases, 1 of them an error', () => {
    expect(fhirPatchCases).toHaveLength(33);
    expect(fhirPatchCases.filter((c) => c.error !== undefined)).toHaveLength(1);
  });

  it.each(fhirPatchCases.map((c, i) => [c.name, i, c] as const))('%s', async (_name, i, c) => {
    const type = c.input.resourceType as string;
    const id = `fhir-patch-${i}`;
    const input = { ...(withoutComments(c.input) as Record<string, unknown>), id };
    const put = await server.request.put(`/fhir/${type}/${id}`).set('Content-Type', FHIR_JSON).send(input);
    expect(put.status, JSON.stringify(put.body)).toBe(201);

    const res = await server.request.patch(`/fhir/${type}/${id}`).set('Content-Type', FHIR_JSON).send(c.diff);
    const after = await server.request.get(`/fhir/${type}/${id}`);
    expect(after.status).toBe(200);
    if (c.error !== undefined) {
      expect(res.status, `${c.error}: ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0]).toMatchObject({ severity: 'error', code: 'processing' });
      expect(res.body.issue[0].diagnostics).toContain(c.error);
      expect(withoutVersionMeta(after.body)).toEqual(input);
      expect(await historyCount(server, type, id)).toBe(1);
    } else {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(withoutVersionMeta(res.body)).toEqual(withoutVersionMeta(after.body));
      const expected = { ...(withoutComments(c.output) as Record<string, unknown>), id };
      expect(normaliseDiv(withoutVersionMeta(after.body))).toEqual(normaliseDiv(expected));
    }
  });
});
