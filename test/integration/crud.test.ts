import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const patient = { resourceType: 'Patient', name: [{ family: 'Okafor', given: ['Ada'] }], birthDate: '1980-02-29' };

describe('create', () => {
  it('assigns an id and version 1 and answers 201 with Location, ETag and Last-Modified', async () => {
    const res = await server.request.post('/fhir/Patient').set('Content-Type', FHIR_JSON).send(patient);
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.meta.versionId).toBe('1');
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers.location).toBe(`http://localhost:8080/fhir/Patient/${res.body.id}/_history/1`);
    expect(new Date(res.headers['last-modified']!).getTime()).toBeLessThanOrEqual(Date.now());
    expect(res.body.name).toEqual(patient.name);
  });

  it('ignores a client id and server-owned meta in the body', async () => {
    const res = await server.request
      .post('/fhir/Patient')
      .set('Content-Type', FHIR_JSON)
      .send({ ...patient, id: 'mine', meta: { versionId: '99', lastUpdated: '2001-01-01T00:00:00Z', tag: [{ code: 'x' }] } });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('mine');
    expect(res.body.meta.versionId).toBe('1');
    expect(res.body.meta.lastUpdated).not.toBe('2001-01-01T00:00:00Z');
    expect(res.body.meta.tag).toEqual([{ code: 'x' }]);
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const minimal = await server.request.post('/fhir/Patient').set('Prefer', 'return=minimal').send(patient);
    expect(minimal.status).toBe(201);
    expect(minimal.text).toBe('');
    expect(minimal.headers.location).toMatch(/\/Patient\/[^/]+\/_history\/1$/);
    const outcome = await server.request.post('/fhir/Patient').set('Prefer', 'return=OperationOutcome').send(patient);
    expect(outcome.status).toBe(201);
    expect(outcome.body.resourceType).toBe('OperationOutcome');
    expect(outcome.body.issue[0].severity).toBe('information');
  });
});

describe('read and vread', () => {
  it('reads what was created and every version by vread', async () => {
    const created = await server.request.post('/fhir/Observation').send({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'weight' },
      valueQuantity: { value: 70.5, unit: 'kg' },
    });
    const id = created.body.id as string;
    const read = await server.request.get(`/fhir/Observation/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.etag).toBe('W/"1"');

    const updated = await server.request
      .put(`/fhir/Observation/${id}`)
      .send({ ...created.body, status: 'amended' });
    expect(updated.status).toBe(200);
    expect(updated.body.meta.versionId).toBe('2');

    const v1 = await server.request.get(`/fhir/Observation/${id}/_history/1`);
    expect(v1.status).toBe(200);
    expect(v1.body.status).toBe('final');
    expect(v1.headers.etag).toBe('W/"1"');
    const v2 = await server.request.get(`/fhir/Observation/${id}/_history/2`);
    expect(v2.body.status).toBe('amended');
    expect((await server.request.get(`/fhir/Observation/${id}/_history/3`)).status).toBe(404);
    expect((await server.request.get(`/fhir/Observation/${id}/_history/abc`)).status).toBe(404);
  });

  it('answers 404 with an OperationOutcome for an unknown id', async () => {
    const res = await server.request.get('/fhir/Patient/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].code).toBe('not-found');
  });

  it('supports If-None-Match and If-Modified-Since with 304', async () => {
    const created = await server.request.post('/fhir/Patient').send(patient);
    const id = created.body.id as string;
    const same = await server.request.get(`/fhir/Patient/${id}`).set('If-None-Match', 'W/"1"');
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    expect((await server.request.get(`/fhir/Patient/${id}`).set('If-None-Match', 'W/"7"')).status).toBe(200);
    const later = new Date(Date.now() + 60_000).toUTCString();
    expect((await server.request.get(`/fhir/Patient/${id}`).set('If-Modified-Since', later)).status).toBe(304);
    const earlier = new Date(Date.now() - 3_600_000).toUTCString();
    expect((await server.request.get(`/fhir/Patient/${id}`).set('If-Modified-Since', earlier)).status).toBe(200);
  });

  it('applies _summary and _elements and tags the result SUBSETTED', async () => {
    const created = await server.request.post('/fhir/Patient').send({
      ...patient,
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Ada</div>' },
      maritalStatus: { text: 'single' },
    });
    const id = created.body.id as string;
    const summary = await server.request.get(`/fhir/Patient/${id}?_summary=true`);
    expect(summary.status).toBe(200);
    expect(summary.body.name).toEqual(patient.name);
    expect(summary.body.maritalStatus).toBeUndefined();
    expect(summary.body.text).toBeUndefined();
    expect(summary.body.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
    const text = await server.request.get(`/fhir/Patient/${id}?_summary=text`);
    expect(text.body.text.status).toBe('generated');
    expect(text.body.name).toBeUndefined();
    const data = await server.request.get(`/fhir/Patient/${id}?_summary=data`);
    expect(data.body.text).toBeUndefined();
    expect(data.body.maritalStatus).toEqual({ text: 'single' });
    const full = await server.request.get(`/fhir/Patient/${id}?_summary=false`);
    expect(full.body).toEqual(created.body);
    const elements = await server.request.get(`/fhir/Patient/${id}?_elements=birthDate`);
    expect(elements.body.birthDate).toBe(patient.birthDate);
    expect(elements.body.name).toBeUndefined();
    expect(elements.body.id).toBe(id);
    expect((await server.request.get(`/fhir/Patient/${id}?_summary=bogus`)).status).toBe(400);
  });
});

describe('update', () => {
  it('creates with a client id (update-as-create) and then updates', async () => {
    const first = await server.request.put('/fhir/Patient/client-id-1').send({ ...patient, id: 'client-id-1' });
    expect(first.status).toBe(201);
    expect(first.body.meta.versionId).toBe('1');
    expect(first.headers.location).toBe('http://localhost:8080/fhir/Patient/client-id-1/_history/1');
    const second = await server.request.put('/fhir/Patient/client-id-1').send({ ...patient, id: 'client-id-1', gender: 'female' });
    expect(second.status).toBe(200);
    expect(second.body.meta.versionId).toBe('2');
    expect(second.headers.etag).toBe('W/"2"');
    expect((await server.request.get('/fhir/Patient/client-id-1')).body.gender).toBe('female');
  });

  it('enforces If-Match: 412 on a stale version, 200 on the current one', async () => {
    await server.request.put('/fhir/Patient/if-match-1').send({ ...patient, id: 'if-match-1' });
    const stale = await server.request
      .put('/fhir/Patient/if-match-1')
      .set('If-Match', 'W/"5"')
      .send({ ...patient, id: 'if-match-1' });
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    const ok = await server.request
      .put('/fhir/Patient/if-match-1')
      .set('If-Match', 'W/"1"')
      .send({ ...patient, id: 'if-match-1' });
    expect(ok.status).toBe(200);
    expect(ok.body.meta.versionId).toBe('2');
    const missing = await server.request.put('/fhir/Patient/if-match-none').set('If-Match', 'W/"1"').send({ ...patient, id: 'if-match-none' });
    expect(missing.status).toBe(404);
    const malformed = await server.request.put('/fhir/Patient/if-match-1').set('If-Match', 'banana').send({ ...patient, id: 'if-match-1' });
    expect(malformed.status).toBe(400);
  });

  it('If-None-Match: * creates only when absent', async () => {
    const created = await server.request.put('/fhir/Patient/inm-1').set('If-None-Match', '*').send({ ...patient, id: 'inm-1' });
    expect(created.status).toBe(201);
    const again = await server.request.put('/fhir/Patient/inm-1').set('If-None-Match', '*').send({ ...patient, id: 'inm-1' });
    expect(again.status).toBe(412);
  });

  it('rejects an id in the body that differs from the URL, or is missing', async () => {
    const mismatch = await server.request.put('/fhir/Patient/abc').send({ ...patient, id: 'xyz' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.issue[0].expression).toEqual(['Patient.id']);
    const missing = await server.request.put('/fhir/Patient/abc').send(patient);
    expect(missing.status).toBe(400);
    const wrongType = await server.request.put('/fhir/Patient/abc').send({ resourceType: 'Observation', id: 'abc', status: 'final', code: {} });
    expect(wrongType.status).toBe(400);
    expect((await server.request.get('/fhir/Patient/abc')).status).toBe(404);
  });
});

describe('base cardinality on write', () => {
  it('refuses a resource missing a mandatory element, or with a choice in two types, and stores nothing', async () => {
    const noStatus = await server.request.post('/fhir/Observation').send({ resourceType: 'Observation', code: { text: 'Heart rate' } });
    expect(noStatus.status).toBe(400);
    expect(noStatus.body.issue).toEqual([
      { severity: 'error', code: 'required', diagnostics: 'Observation.status: minimum required = 1, but only found 0', expression: ['Observation.status'] },
    ]);
    const twoTypes = await server.request.put('/fhir/Patient/card-1').send({ resourceType: 'Patient', id: 'card-1', deceasedBoolean: true, deceasedDateTime: '2020-01-01' });
    expect(twoTypes.status).toBe(400);
    expect(twoTypes.body.issue[0]).toMatchObject({ code: 'structure', expression: ['Patient.deceasedDateTime'] });
    expect((await server.request.get('/fhir/Patient/card-1')).status).toBe(404);
    expect((await server.request.get('/fhir/Observation?code:text=Heart')).body.entry ?? []).toEqual([]);
  });

  it('refuses a patch that removes a mandatory element, leaving the resource as it was', async () => {
    const created = await server.request.post('/fhir/Observation').send({ resourceType: 'Observation', status: 'final', code: { text: 'Weight' } });
    expect(created.status).toBe(201);
    const patched = await server.request
      .patch(`/fhir/Observation/${created.body.id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'remove', path: '/status' }]);
    expect(patched.status).toBe(422); // http.html#patch: the patched resource is invalid
    expect(patched.body.issue[1].expression).toEqual(['Observation.status']);
    const read = await server.request.get(`/fhir/Observation/${created.body.id}`);
    expect(read.body.status).toBe('final');
    expect(read.body.meta.versionId).toBe('1');
  });

  it('accepts a mandatory primitive given only as an extension (data-absent-reason)', async () => {
    const absent = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    const created = await server.request.post('/fhir/Observation').send({ resourceType: 'Observation', _status: absent, code: { text: 'Height' } });
    expect(created.status).toBe(201);
    expect(created.body._status).toEqual(absent);
  });

  it('$validate reports the same issue with 200', async () => {
    const validated = await server.request.post('/fhir/Observation/$validate').send({ resourceType: 'Observation', code: { text: 'x' } });
    expect(validated.status).toBe(200);
    expect(validated.body.issue).toEqual([
      { severity: 'error', code: 'required', diagnostics: 'Observation.status: minimum required = 1, but only found 0', expression: ['Observation.status'] },
    ]);
  });
});

describe('delete', () => {
  it('deletes: read is then 410, history keeps every version, delete again is harmless', async () => {
    const created = await server.request.post('/fhir/Patient').send(patient);
    const id = created.body.id as string;
    await server.request.put(`/fhir/Patient/${id}`).send({ ...created.body, gender: 'male' });
    const deleted = await server.request.delete(`/fhir/Patient/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.resourceType).toBe('OperationOutcome');
    expect(deleted.headers.etag).toBe('W/"3"');
    const gone = await server.request.get(`/fhir/Patient/${id}`);
    expect(gone.status).toBe(410);
    expect(gone.body.issue[0].code).toBe('deleted');
    const history = await server.request.get(`/fhir/Patient/${id}/_history`);
    expect(history.status).toBe(200);
    expect(history.body.total).toBe(3);
    expect(history.body.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual(['DELETE', 'PUT', 'POST']);
    expect(history.body.entry[0].resource).toBeUndefined();
    expect((await server.request.get(`/fhir/Patient/${id}/_history/2`)).body.gender).toBe('male');
    expect((await server.request.get(`/fhir/Patient/${id}/_history/3`)).status).toBe(410);
    const again = await server.request.delete(`/fhir/Patient/${id}`).set('Prefer', 'return=minimal');
    expect(again.status).toBe(204);
    expect((await server.request.get(`/fhir/Patient/${id}/_history`)).body.total).toBe(3);
    // Update after delete brings it back as a new version.
    const revived = await server.request.put(`/fhir/Patient/${id}`).send({ ...created.body });
    expect(revived.status).toBe(201);
    expect(revived.body.meta.versionId).toBe('4');
  });

  it('delete with a stale If-Match is 412 and changes nothing', async () => {
    const created = await server.request.post('/fhir/Patient').send(patient);
    const res = await server.request.delete(`/fhir/Patient/${created.body.id}`).set('If-Match', 'W/"9"');
    expect(res.status).toBe(412);
    expect((await server.request.get(`/fhir/Patient/${created.body.id}`)).status).toBe(200);
  });

  it('deleting an unknown id is not an error', async () => {
    expect((await server.request.delete('/fhir/Patient/never-was')).status).toBe(200);
  });
});

describe('empty arrays and objects on write', () => {
  it('are refused with where they are, and nothing is stored; null array members stay allowed', async () => {
    const created = await server.request.put('/fhir/Patient/empty-1').send({ resourceType: 'Patient', id: 'empty-1', name: [{ family: 'Okafor', given: [] }], telecom: [], meta: {} });
    expect(created.status).toBe(400);
    expect(created.body.issue.map((i: { code: string; expression: string[] }) => [i.code, i.expression[0]])).toEqual([
      ['invalid', 'Patient.name[0].given'],
      ['invalid', 'Patient.telecom'],
      ['invalid', 'Patient.meta'],
    ]);
    expect((await server.request.get('/fhir/Patient/empty-1')).status).toBe(404);
    const posted = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', contact: [{}] });
    expect(posted.status).toBe(400);
    expect(posted.body.issue[0].expression).toEqual(['Patient.contact[0]']);
    const aligned = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', name: [{ given: ['Ada', 'Obi'], _given: [null, { id: 'g2' }] }] });
    expect(aligned.status).toBe(201);
  });

  it('a patch that leaves an empty array is a 422 and changes nothing; $validate reports it with 200', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', name: [{ family: 'Bello' }] });
    const patched = await server.request
      .patch(`/fhir/Patient/${created.body.id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'remove', path: '/name/0' }]);
    expect(patched.status).toBe(422);
    expect((await server.request.get(`/fhir/Patient/${created.body.id}`)).body.name).toEqual([{ family: 'Bello' }]);
    const validated = await server.request.post('/fhir/Patient/$validate').send({ resourceType: 'Patient', name: [] });
    expect(validated.status).toBe(200);
    expect(validated.body.issue).toContainEqual(expect.objectContaining({ severity: 'error', expression: ['Patient.name'] }));
  });

  it('operation bodies may still carry an empty parameter list', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', gender: 'male' });
    const meta = await server.request.post(`/fhir/Patient/${created.body.id}/$meta`).send({ resourceType: 'Parameters', parameter: [] });
    expect(meta.status).toBe(200);
  });
});

describe('narratives on write', () => {
  const narrative = (div: string) => ({ status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${div}</div>` });

  it('refuses active content (txt-1) in any narrative, contained ones included, and stores nothing', async () => {
    const script = await server.request.put('/fhir/Patient/xss-1').send({ resourceType: 'Patient', id: 'xss-1', text: narrative('<p>Hi</p><script>alert(1)</script>') });
    expect(script.status).toBe(400);
    expect(script.body.issue).toEqual([expect.objectContaining({ code: 'invariant', expression: ['Patient.text.div'] })]);
    expect(script.body.issue[0].diagnostics).toMatch(/'script'.*txt-1/);
    expect((await server.request.get('/fhir/Patient/xss-1')).status).toBe(404);
    const contained = await server.request.post('/fhir/Observation').send({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      contained: [{ resourceType: 'Patient', id: 'p', text: narrative('<p onclick="steal()">x</p>') }],
    });
    expect(contained.status).toBe(400);
    expect(contained.body.issue[0].expression).toEqual(['Observation.contained[0].text.div']);
    const safe = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', text: narrative('<p>Ada <b>Obi</b> &amp; family</p>') });
    expect(safe.status).toBe(201);
  });

  it('a patch that adds a script is a 422 and changes nothing', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', text: narrative('<p>ok</p>') });
    const patched = await server.request
      .patch(`/fhir/Patient/${created.body.id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'replace', path: '/text/div', value: '<div xmlns="http://www.w3.org/1999/xhtml"><iframe src="x"></iframe></div>' }]);
    expect(patched.status).toBe(422);
    expect((await server.request.get(`/fhir/Patient/${created.body.id}`)).body.text.div).toContain('<p>ok</p>');
  });
});
