import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const tag = { system: 'http://example.org/tags', code: 'vip' };
const meta = (profile: string[], tags = [tag]) => ({ resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: { profile, tag: tags } }] });

describe('$meta, $meta-add, $meta-delete', () => {
  it('adds and removes labels without a new version', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', active: true });
    const id = created.body.id as string;
    const added = await server.request.post(`/fhir/Patient/${id}/$meta-add`).send(meta(['http://example.org/p1']));
    expect(added.status).toBe(200);
    expect(added.body.resourceType).toBe('Parameters');
    expect(added.body.parameter[0].valueMeta.profile).toEqual(['http://example.org/p1']);
    expect(added.body.parameter[0].valueMeta.tag).toEqual([tag]);
    // Adding the same again creates no duplicates.
    await server.request.post(`/fhir/Patient/${id}/$meta-add`).send(meta(['http://example.org/p1']));
    const read = await server.request.get(`/fhir/Patient/${id}`);
    expect(read.body.meta.versionId).toBe('1');
    expect(read.body.meta.tag).toEqual([tag]);
    expect((await server.request.get(`/fhir/Patient/${id}/_history/1`)).body.meta.profile).toEqual(['http://example.org/p1']);

    const current = await server.request.get(`/fhir/Patient/${id}/$meta`);
    expect(current.body.parameter[0].valueMeta).toEqual({ profile: ['http://example.org/p1'], tag: [tag] });
    // An operation without inputs may also be POSTed with no body.
    const posted = await server.request.post(`/fhir/Patient/${id}/$meta`);
    expect(posted.status).toBe(200);
    expect(posted.body.parameter[0].valueMeta).toEqual({ profile: ['http://example.org/p1'], tag: [tag] });

    const removed = await server.request.post(`/fhir/Patient/${id}/$meta-delete`).send(meta([], [tag]));
    expect(removed.status).toBe(200);
    expect(removed.body.parameter[0].valueMeta.tag).toBeUndefined();
    expect((await server.request.get(`/fhir/Patient/${id}`)).body.meta.tag).toBeUndefined();
  });

  it('works on a historical version', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', active: true });
    const id = created.body.id as string;
    await server.request.put(`/fhir/Patient/${id}`).send({ ...created.body, active: false });
    const res = await server.request.post(`/fhir/Patient/${id}/_history/1/$meta-add`).send(meta(['http://example.org/old']));
    expect(res.status).toBe(200);
    expect((await server.request.get(`/fhir/Patient/${id}/_history/1`)).body.meta.profile).toEqual(['http://example.org/old']);
    expect((await server.request.get(`/fhir/Patient/${id}`)).body.meta.profile).toBeUndefined();
  });

  it('searches find resources by the labels $meta-add and $meta-delete change (current version only)', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', active: true });
    const id = created.body.id as string;
    const labels = { profile: ['http://example.org/labelled'], tag: [{ system: 'urn:t2', code: 'b' }], security: [{ system: 'urn:s2', code: 'r' }] };
    const body = (m: object) => ({ resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: m }] });
    const found = async (query: string) => ((await server.request.get(`/fhir/Patient?${query}`)).body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);
    const queries = ['_tag=urn:t2|b', '_security=urn:s2|r', '_profile=http://example.org/labelled'];
    expect((await server.request.post(`/fhir/Patient/${id}/$meta-add`).send(body(labels))).status).toBe(200);
    for (const query of queries) expect(await found(query), query).toEqual([id]);
    // Other values of the index are still there.
    expect(await found(`_id=${id}&active=true`)).toEqual([id]);
    expect((await server.request.post(`/fhir/Patient/${id}/$meta-delete`).send(body(labels))).status).toBe(200);
    for (const query of queries) expect(await found(query), query).toEqual([]);
    // Labelling a version that is no longer current leaves the current index alone.
    await server.request.put(`/fhir/Patient/${id}`).send({ resourceType: 'Patient', id, active: false });
    expect((await server.request.post(`/fhir/Patient/${id}/_history/1/$meta-add`).send(body(labels))).status).toBe(200);
    for (const query of queries) expect(await found(query), query).toEqual([]);
    expect(await found(`_id=${id}&active=false`)).toEqual([id]);
  });

  it('checks new labels like a write: a claimed profile must be met, Codings must be valid', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', name: [{ family: 'Unlabelled' }] });
    const id = created.body.id as string;
    const profile = 'https://baobab.health/fhir/StructureDefinition/baobab-patient';
    const claimed = await server.request.post(`/fhir/Patient/${id}/$meta-add`).send(meta([profile], []));
    expect(claimed.status).toBe(422);
    expect(claimed.body.resourceType).toBe('OperationOutcome');
    const badCoding = await server.request.post(`/fhir/Patient/${id}/$meta-add`).send(meta([], [{ system: 'urn:t', code: 5 } as unknown as typeof tag]));
    expect(badCoding.status).toBe(400);
    const read = await server.request.get(`/fhir/Patient/${id}`);
    expect(read.body.meta.profile).toBeUndefined();
    expect(read.body.meta.tag).toBeUndefined();
    // The resource can still be written back as read.
    expect((await server.request.put(`/fhir/Patient/${id}`).send(read.body)).status).toBe(200);
  });

  it('reports labels in use at type and system level', async () => {
    await server.request.post('/fhir/Encounter').send({ resourceType: 'Encounter', status: 'planned', class: { code: 'AMB' }, meta: { tag: [{ system: 'urn:t', code: 'enc' }] } });
    const type = await server.request.get('/fhir/Encounter/$meta');
    expect(type.status).toBe(200);
    expect(type.body.parameter[0].valueMeta.tag).toContainEqual({ system: 'urn:t', code: 'enc' });
    const system = await server.request.get('/fhir/$meta');
    expect(system.body.parameter[0].valueMeta.tag).toContainEqual({ system: 'urn:t', code: 'enc' });
  });

  it('rejects bad invocations with OperationOutcomes', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient' });
    const id = created.body.id as string;
    expect((await server.request.get(`/fhir/Patient/${id}/$meta-add`)).status).toBe(405);
    expect((await server.request.post(`/fhir/Patient/${id}/$meta-add`).send({ resourceType: 'Parameters' })).status).toBe(400);
    expect((await server.request.post(`/fhir/Patient/${id}/$meta-add`).send({ resourceType: 'Patient' })).status).toBe(400);
    const unknownParam = await server.request.post(`/fhir/Patient/${id}/$meta-add`).send({ resourceType: 'Parameters', parameter: [{ name: 'bogus', valueString: 'x' }] });
    expect(unknownParam.status).toBe(400);
    expect((await server.request.post('/fhir/$meta-add').send(meta([]))).status).toBe(404);
    expect((await server.request.get(`/fhir/Patient/${id}/$no-such-op`)).status).toBe(404);
    expect((await server.request.post('/fhir/Patient/missing/$meta-add').send(meta(['x']))).status).toBe(404);
  });
});
