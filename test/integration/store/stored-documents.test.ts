/**
 * How a resource lies in MongoDB (documents.ts): its body as JSON text, meta.versionId and
 * meta.lastUpdated left to `vid` and `ts`, its labels beside it for `$meta`; and documents
 * written before that, with the body as an object, still read, listed and updated.
 */
import type { Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../helpers/server';
import { startTestServer } from '../../helpers/server';

let server: TestServer;
let db: Db;
beforeAll(async () => {
  server = await startTestServer();
  db = server.container.mongoClient.db(server.config.mongodbDatabase);
});
afterAll(async () => {
  await server?.close();
});

const tag = { system: 'urn:stored-documents', code: 'text' };

describe('stored documents', () => {
  it('keep the body as JSON text without the server-owned meta, and the labels beside it', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', meta: { tag: [tag] }, gender: 'female' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const doc = await db.collection('Patient').findOne({ _id: id as never });
    expect(typeof doc?.resource).toBe('string');
    expect(JSON.parse(doc!.resource as string)).toEqual({ resourceType: 'Patient', id, meta: { tag: [tag] }, gender: 'female' });
    expect(doc?.labels).toEqual({ tag: [tag] });
    const history = await db.collection('history').findOne({ _id: `Patient/${id}/1` as never });
    expect(history?.resource).toBe(doc?.resource);

    expect((await server.request.get(`/fhir/Patient/${id}`)).body).toEqual(created.body);
    const removed = await server.request
      .post(`/fhir/Patient/${id}/$meta-delete`)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: { tag: [tag] } }] });
    expect(removed.status).toBe(200);
    const relabelled = await db.collection('Patient').findOne({ _id: id as never });
    expect(relabelled?.labels).toBeUndefined();
    expect(JSON.parse(relabelled!.resource as string).meta).toBeUndefined();
  });

  it('answer reads with the stored text as the parsed resource would serialise, pretty or projected alike', async () => {
    const body = { gender: 'female', meta: { tag: [tag], versionId: '7' }, resourceType: 'Patient', name: [{ family: 'Ngũgĩ' }] };
    const created = await server.request.post('/fhir/Patient').send(body);
    const id = created.body.id as string;
    const doc = await db.collection('Patient').findOne({ _id: id as never });
    expect((doc!.resource as string).startsWith(`{"resourceType":"Patient","id":"${id}","meta":{"tag":`)).toBe(true);
    const read = await server.request.get(`/fhir/Patient/${id}`);
    expect(read.text).toBe(JSON.stringify(created.body));
    expect(read.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect((await server.request.get(`/fhir/Patient/${id}?_pretty=true`)).text).toBe(JSON.stringify(created.body, null, 2));
    expect((await server.request.get(`/fhir/Patient/${id}/_history/1`)).text).toBe(JSON.stringify(created.body));
    expect((await server.request.get(`/fhir/Patient/${id}?_elements=gender`)).body).toMatchObject({ gender: 'female', meta: { versionId: '1' } });

    // Text stored in the client's order (as the release before wrote it), meta last: read the long way.
    const ts = new Date('2025-02-03T04:05:06.789Z');
    const text = JSON.stringify({ resourceType: 'Patient', id: 'client-order', gender: 'male', meta: { tag: [tag] } });
    await db.collection('Patient').insertOne({ _id: 'client-order' as never, vid: 2, ts, deleted: false, method: 'PUT', resource: text });
    const old = await server.request.get('/fhir/Patient/client-order');
    expect(old.body).toEqual({ resourceType: 'Patient', id: 'client-order', meta: { versionId: '2', lastUpdated: ts.toISOString(), tag: [tag] }, gender: 'male' });
  });

  it('read, list and update documents whose body was stored as an object', async () => {
    const ts = new Date('2025-01-02T03:04:05.678Z');
    const legacyTag = { system: 'urn:stored-documents', code: 'legacy' };
    const body = { resourceType: 'Patient', id: 'legacy-1', meta: { tag: [legacyTag] }, gender: 'male' };
    await db.collection('Patient').insertOne({ _id: 'legacy-1' as never, vid: 1, ts, deleted: false, method: 'PUT', resource: body, tok: [{ p: 'gender', c: 'male' }] });
    await db.collection('history').insertOne({ _id: 'Patient/legacy-1/1' as never, t: 'Patient', i: 'legacy-1', v: 1, ts, deleted: false, method: 'PUT', resource: body });

    const read = await server.request.get('/fhir/Patient/legacy-1');
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...body, meta: { versionId: '1', lastUpdated: ts.toISOString(), tag: [legacyTag] } });
    expect((await server.request.get('/fhir/Patient/legacy-1/_history/1')).body.gender).toBe('male');
    const found = await server.request.get('/fhir/Patient?gender=male&_id=legacy-1');
    expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['legacy-1']);
    const inUse = await server.request.get('/fhir/Patient/$meta');
    expect(inUse.body.parameter[0].valueMeta.tag).toEqual(expect.arrayContaining([legacyTag]));

    const updated = await server.request.put('/fhir/Patient/legacy-1').send({ ...body, gender: 'other' });
    expect(updated.status).toBe(200);
    const doc = await db.collection('Patient').findOne({ _id: 'legacy-1' as never });
    expect(typeof doc?.resource).toBe('string');
    expect(doc?.labels).toEqual({ tag: [legacyTag] });
    expect((await server.request.get('/fhir/Patient/legacy-1/_history/1')).body.gender).toBe('male');
  });
});
