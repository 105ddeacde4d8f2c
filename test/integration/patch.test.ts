/**
 * PATCH [type]/[id] over HTTP (http.html#patch): content types, status codes, id/type
 * protection, If-Match, Prefer, and the re-read/re-apply of patches that race each other.
 * The official JSON Patch and FHIRPath Patch cases are in patch-cases.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

const JSON_PATCH = 'application/json-patch+json';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const patient = { resourceType: 'Patient', active: true, name: [{ family: 'Okafor', given: ['Ada', 'Nneka'] }], birthDate: '1980-02-29' };

async function createPatient(): Promise<string> {
  const res = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(patient);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

function jsonPatch(url: string, operations: unknown, headers: Record<string, string> = {}) {
  let req = server.request.patch(url).set('Content-Type', JSON_PATCH);
  for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
  return req.send(typeof operations === 'string' ? operations : JSON.stringify(operations));
}

type Part = Record<string, unknown>;
const op = (type: string, path: string, more: Part[] = []) => ({
  name: 'operation',
  part: [{ name: 'type', valueCode: type }, { name: 'path', valueString: path }, ...more],
});
const parameters = (...operations: unknown[]) => ({ resourceType: 'Parameters', parameter: operations });

function fhirPatch(url: string, body: unknown, headers: Record<string, string> = {}) {
  let req = server.request.patch(url).set('Content-Type', FHIR_JSON);
  for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
  return req.send(body as object);
}

/** The stored resource and the number of its versions, to show a failed patch changed nothing. */
async function snapshot(id: string): Promise<{ resource: Record<string, unknown>; versions: number }> {
  const read = await server.request.get(`/fhir/Patient/${id}`);
  expect(read.status).toBe(200);
  const history = await server.request.get(`/fhir/Patient/${id}/_history?_count=100`);
  expect(history.status).toBe(200);
  return { resource: read.body, versions: (history.body.entry ?? []).length };
}

function expectOutcome(res: { status: number; body: { resourceType?: string; issue?: Array<{ severity: string; code: string }> } }, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue?.[0]?.severity).toBe('error');
  if (code) expect(res.body.issue?.[0]?.code).toBe(code);
}

describe('PATCH with JSON Patch and FHIRPath Patch', () => {
  it('answers like an update: 200, the new version, ETag, Last-Modified, Location', async () => {
    const id = await createPatient();
    const res = await jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '/active', value: false }]);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(res.headers.etag).toBe('W/"2"');
    expect(res.headers.location).toBe(`http://localhost:8080/fhir/Patient/${id}/_history/2`);
    expect(new Date(res.headers['last-modified']!).getTime()).toBeLessThanOrEqual(Date.now());
    expect(res.body).toMatchObject({ resourceType: 'Patient', id, active: false, meta: { versionId: '2' } });

    const fp = await fhirPatch(`/fhir/Patient/${id}`, parameters(op('replace', 'Patient.name[0].family', [{ name: 'value', valueString: 'Obi' }])));
    expect(fp.status).toBe(200);
    expect(fp.headers.etag).toBe('W/"3"');
    expect(fp.body.name).toEqual([{ family: 'Obi', given: ['Ada', 'Nneka'] }]);
    expect((await server.request.get(`/fhir/Patient/${id}/_history/2`)).body.active).toBe(false);
    const history = await server.request.get(`/fhir/Patient/${id}/_history`);
    expect(history.body.entry.map((e: { request: { method: string; url: string } }) => e.request)).toEqual([
      { method: 'PATCH', url: `Patient/${id}` },
      { method: 'PATCH', url: `Patient/${id}` },
      { method: 'POST', url: 'Patient' },
    ]);
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const id = await createPatient();
    const minimal = await jsonPatch(`/fhir/Patient/${id}`, [{ op: 'add', path: '/gender', value: 'female' }], { Prefer: 'return=minimal' });
    expect(minimal.status).toBe(200);
    expect(minimal.text).toBe('');
    expect(minimal.headers.etag).toBe('W/"2"');
    expect(minimal.headers.location).toBe(`http://localhost:8080/fhir/Patient/${id}/_history/2`);
    expect(minimal.headers['last-modified']).toBeDefined();
    const outcome = await jsonPatch(`/fhir/Patient/${id}`, [{ op: 'remove', path: '/gender' }], { Prefer: 'return=OperationOutcome' });
    expect(outcome.status).toBe(200);
    expect(outcome.body.resourceType).toBe('OperationOutcome');
    expect(outcome.body.issue[0].severity).toBe('information');
    expect((await server.request.get(`/fhir/Patient/${id}`)).body.gender).toBeUndefined();
  });

  it('answers 415 for other content types, and for no content type, changing nothing', async () => {
    const id = await createPatient();
    const before = await snapshot(id);
    const body = JSON.stringify([{ op: 'replace', path: '/active', value: false }]);
    for (const type of ['application/merge-patch+json', 'text/plain', 'application/xml', 'application/fhir+xml', 'application/xml-patch+xml']) {
      const res = await server.request.patch(`/fhir/Patient/${id}`).set('Content-Type', type).send(body);
      expectOutcome(res, 415, 'not-supported');
    }
    const none = await server.request.patch(`/fhir/Patient/${id}`).send(Buffer.from(body));
    expectOutcome(none, 415);
    expect(await snapshot(id)).toEqual(before);
  });

  it('answers 400 for a malformed patch document, before looking at the resource', async () => {
    const id = await createPatient();
    const before = await snapshot(id);
    const jsonDocuments: unknown[] = [
      '{not json',
      { op: 'add', path: '/active', value: true },
      [{ op: 'frobnicate', path: '/active' }],
      [{ path: '/active', value: true }],
      [{ op: 'add', path: 'active', value: true }],
      [{ op: 'add', path: '/active' }],
      [{ op: 'move', path: '/active' }],
      [{ op: 'add', path: '/a~2b', value: 1 }],
      [{ op: 'remove', path: '' }],
      '',
    ];
    for (const document of jsonDocuments) {
      expectOutcome(await jsonPatch(`/fhir/Patient/${id}`, document), 400, 'invalid');
    }
    const fhirDocuments: unknown[] = [
      [{ op: 'add', path: '/active', value: true }],
      { resourceType: 'Patient', id },
      parameters({ name: 'op', part: [] }),
      parameters(op('upsert', 'Patient.active')),
      parameters(op('replace', 'Patient.active')),
      parameters(op('delete', 'Patient.name.(')),
      parameters(op('add', 'Patient', [{ name: 'value', valueBoolean: true }])),
      parameters(op('delete', 'Patient.active', [{ name: 'index', valueInteger: 0 }])),
      parameters(op('insert', 'Patient.name', [{ name: 'index', valueInteger: -1 }, { name: 'value', valueHumanName: { text: 'x' } }])),
      parameters(op('replace', 'Patient.active', [{ name: 'value', valueBoolean: true, valueString: 'x' }])),
      parameters({ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'Patient.active' }, { name: 'path', valueString: 'Patient.gender' }] }),
    ];
    for (const document of fhirDocuments) {
      expectOutcome(await fhirPatch(`/fhir/Patient/${id}`, document), 400);
    }
    // Even for a resource that does not exist: the document is checked first.
    expectOutcome(await jsonPatch('/fhir/Patient/nobody-here', '{not json'), 400);
    expect(await snapshot(id)).toEqual(before);
  });

  it('answers 422 for a patch that does not apply, and stores nothing', async () => {
    const id = await createPatient();
    const before = await snapshot(id);
    const failing = [
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'test', path: '/active', value: false }, { op: 'replace', path: '/active', value: false }]),
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '/gender', value: 'male' }]),
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'remove', path: '/name/3' }]),
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'add', path: '/birthDate/x', value: 1 }]),
      // The first operation applies, the second fails: nothing of either is stored.
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '/active', value: false }, { op: 'remove', path: '/telecom' }]),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('replace', 'Patient.gender', [{ name: 'value', valueCode: 'male' }]))),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('add', 'Patient.contact', [{ name: 'name', valueString: 'gender' }, { name: 'value', valueCode: 'male' }]))),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('add', 'Patient', [{ name: 'name', valueString: 'birthDate' }, { name: 'value', valueDate: '1990-01-01' }]))),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('replace', 'Patient.birthDate', [{ name: 'value', valueBoolean: true }]))),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('insert', 'Patient.name', [{ name: 'index', valueInteger: 5 }, { name: 'value', valueHumanName: { text: 'x' } }]))),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('move', 'Patient.name', [{ name: 'source', valueInteger: 0 }, { name: 'destination', valueInteger: 1 }]))),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('add', 'Patient', [{ name: 'name', valueString: 'bogus' }, { name: 'value', valueString: 'x' }]))),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('delete', "'computed'"))),
      fhirPatch(
        `/fhir/Patient/${id}`,
        parameters(
          op('replace', 'Patient.active', [{ name: 'value', valueBoolean: false }]),
          // Selects both given names: one element is needed.
          op('replace', 'Patient.name.given', [{ name: 'value', valueString: 'x' }]),
        ),
      ),
    ];
    for (const res of await Promise.all(failing)) expectOutcome(res, 422, 'processing');
    expect(await snapshot(id)).toEqual(before);
  });

  it('refuses a patch whose result is not a valid resource (422, with the validation issues)', async () => {
    const id = await createPatient();
    const before = await snapshot(id);
    const bogus = await jsonPatch(`/fhir/Patient/${id}`, [{ op: 'add', path: '/bogus', value: 1 }]);
    expectOutcome(bogus, 422, 'processing');
    expect(bogus.body.issue.slice(1)).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'structure', expression: ['Patient.bogus'] })]),
    );
    const badDate = await jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '/birthDate', value: '1980-02-30' }]);
    expectOutcome(badDate, 422);
    const badCode = await fhirPatch(`/fhir/Patient/${id}`, parameters(op('add', 'Patient', [{ name: 'name', valueString: 'gender' }, { name: 'value', valueCode: 'robot' }])));
    expectOutcome(badCode, 422);
    expect(await snapshot(id)).toEqual(before);
  });

  it('never lets a patch change the id or the resourceType', async () => {
    const id = await createPatient();
    const before = await snapshot(id);
    const attempts = [
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '/id', value: 'someone-else' }]),
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'remove', path: '/id' }]),
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '/resourceType', value: 'Person' }]),
      jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '', value: { resourceType: 'Patient', id: 'other' } }]),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('replace', 'Patient.id', [{ name: 'value', valueId: 'someone-else' }]))),
      fhirPatch(`/fhir/Patient/${id}`, parameters(op('delete', 'Patient.id'))),
    ];
    for (const res of await Promise.all(attempts)) {
      expectOutcome(res, 422);
      expect(res.body.issue[0].expression[0]).toMatch(/^Patient\.(id|resourceType)$/);
    }
    expect(await snapshot(id)).toEqual(before);
    // Replacing the whole document is allowed when type and id stay.
    const whole = await jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '', value: { resourceType: 'Patient', id, active: false } }]);
    expect(whole.status).toBe(200);
    expect(whole.body.name).toBeUndefined();
  });

  it('answers 404 for an unknown resource or type and 410 for a deleted one', async () => {
    const body = [{ op: 'replace', path: '/active', value: false }];
    expectOutcome(await jsonPatch('/fhir/Patient/never-was', body), 404, 'not-found');
    expectOutcome(await jsonPatch('/fhir/NotAType/x', body), 404);
    expectOutcome(await fhirPatch('/fhir/Patient/never-was', parameters(op('delete', 'Patient.active'))), 404);
    const id = await createPatient();
    expect((await server.request.delete(`/fhir/Patient/${id}`)).status).toBe(200);
    const gone = await jsonPatch(`/fhir/Patient/${id}`, body);
    expectOutcome(gone, 410, 'deleted');
    expect((await server.request.get(`/fhir/Patient/${id}/_history`)).body.entry).toHaveLength(2);
  });

  it('applies If-Match: the current version patches, another gives 412 and changes nothing', async () => {
    const id = await createPatient();
    const stale = await jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '/active', value: false }], { 'If-Match': 'W/"7"' });
    expectOutcome(stale, 412);
    expect(await snapshot(id)).toMatchObject({ versions: 1, resource: { active: true } });
    const ok = await jsonPatch(`/fhir/Patient/${id}`, [{ op: 'replace', path: '/active', value: false }], { 'If-Match': 'W/"1"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('W/"2"');
    const again = await fhirPatch(`/fhir/Patient/${id}`, parameters(op('delete', 'Patient.birthDate')), { 'If-Match': 'W/"1"' });
    expectOutcome(again, 412);
    expectOutcome(await jsonPatch(`/fhir/Patient/${id}`, [], { 'If-Match': 'yesterday' }), 400);
    expect(await snapshot(id)).toMatchObject({ versions: 2, resource: { active: false, birthDate: '1980-02-29' } });
  });

  it('with the same If-Match in parallel, one patch wins and the others get 412', async () => {
    const id = await createPatient();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => jsonPatch(`/fhir/Patient/${id}`, [{ op: 'add', path: '/name/-', value: { text: `n${i}` } }], { 'If-Match': 'W/"1"' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412]);
    const { resource, versions } = await snapshot(id);
    expect(versions).toBe(2);
    expect(resource.name).toHaveLength(2);
  });

  it('loses no change when 20 patches without If-Match race (re-read and re-apply)', async () => {
    const system = 'urn:test:race';
    const created = await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .send({ ...patient, identifier: [{ system, value: 'initial' }] });
    const id = created.body.id as string;
    const update = vi.spyOn(server.container.store, 'update');
    // Half JSON Patch (append to the array), half FHIRPath Patch (add to the repeating element).
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? jsonPatch(`/fhir/Patient/${id}`, [{ op: 'add', path: '/identifier/-', value: { system, value: `v${i}` } }])
          : fhirPatch(
              `/fhir/Patient/${id}`,
              parameters(op('add', 'Patient', [{ name: 'name', valueString: 'identifier' }, { name: 'value', valueIdentifier: { system, value: `v${i}` } }])),
            ),
      ),
    );
    const writes = update.mock.calls.length;
    update.mockRestore();
    for (const res of results) expect(res.status, JSON.stringify(res.body)).toBe(200);
    // More store writes than patches: some lost a race and were re-read and re-applied.
    expect(writes).toBeGreaterThan(20);
    // Each patch made its own version: 2 … 21, none applied twice or lost.
    expect(results.map((r) => Number(/\d+/.exec(r.headers.etag!)![0])).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const { resource, versions } = await snapshot(id);
    const values = (resource.identifier as Array<{ value: string }>).map((x) => x.value);
    expect(values[0]).toBe('initial');
    expect(values.slice(1).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
    expect(versions).toBe(21);
    expect(resource.meta).toMatchObject({ versionId: '21' });
  });
});
