/**
 * The REST surface through a real FHIR client (fhir-kit-client) over real HTTP, so
 * headers, status handling and absolute links are exercised the way client code sees them.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'fhir-kit-client';
import type { FhirResource } from 'fhir-kit-client';
import type { Bundle, BundleEntry, CapabilityStatement, OperationOutcome, Parameters, Patient } from '@medplum/fhirtypes';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

let server: TestServer;
let http: Server;
let client: Client;
let baseUrl: string;

beforeAll(async () => {
  // Listen first: the links the server writes (Location, Bundle next) use BASE_URL, so it must
  // name the ephemeral port before the app is built. Same as app.listen(0), in two steps.
  http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/fhir`;
  // A small default page so history pages without the client having to send _count.
  server = await startTestServer({ baseUrl, defaultPageSize: 2 });
  http.on('request', server.app);
  client = new Client({ baseUrl });
});
afterAll(async () => {
  http?.closeAllConnections();
  await new Promise((resolve) => http?.close(resolve));
  await server?.close();
});

const as = <T>(resource: FhirResource) => resource as unknown as T;
const responseOf = (resource: FhirResource) => Client.httpFor(resource).response!;

/** The HTTP status and OperationOutcome of a request the client rejected. */
async function rejection(promise: Promise<unknown>): Promise<{ status: number; data: OperationOutcome }> {
  try {
    await promise;
  } catch (err) {
    const response = (err as { response?: { status: number; data: OperationOutcome } }).response;
    if (response) return response;
    throw err;
  }
  throw new Error('expected the server to refuse the request');
}

/** Awaits a client call; a refusal fails the test with the server's OperationOutcome, not just "HTTP 400". */
async function ok<T>(promise: Promise<FhirResource>): Promise<T> {
  try {
    return (await promise) as unknown as T;
  } catch (err) {
    const response = (err as { response?: { status: number; data: unknown } }).response;
    if (!response) throw err;
    throw new Error(`${(err as Error).message}: ${JSON.stringify(response.data).slice(0, 500)}`);
  }
}

/** Every entry of a history, following `next` links with the client's own paging. */
async function allPages(first: FhirResource): Promise<{ pages: number; entries: BundleEntry[] }> {
  const entries: BundleEntry[] = [];
  let pages = 0;
  let page: FhirResource | undefined = first;
  while (page) {
    const bundle = as<Bundle>(page);
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('history');
    expect(bundle.entry!.length).toBeLessThanOrEqual(2);
    entries.push(...bundle.entry!);
    pages++;
    if (pages > 50) throw new Error('history paging does not end');
    page = await client.nextPage({ bundle: page as FhirResource & { link: Array<{ relation: string; url: string }> } });
  }
  return { pages, entries };
}

const etags = (entries: BundleEntry[]) => entries.map((entry) => entry.response?.etag);

describe('fhir-kit-client against Baobab', () => {
  it('reads the CapabilityStatement', async () => {
    const statement = as<CapabilityStatement>(await client.capabilityStatement());
    expect(statement.resourceType).toBe('CapabilityStatement');
    expect(statement.fhirVersion).toBe('4.0.1');
    expect(statement.implementation?.url).toBe(baseUrl);
    const rest = statement.rest![0]!;
    const patient = rest.resource!.find((r) => r.type === 'Patient')!;
    expect(patient.interaction!.map((i) => i.code)).toEqual(
      expect.arrayContaining(['read', 'vread', 'update', 'delete', 'create', 'history-instance', 'history-type']),
    );
    expect(patient.operation!.map((o) => o.name)).toEqual(expect.arrayContaining(['meta', 'meta-add', 'meta-delete']));
    expect(rest.interaction!.map((i) => i.code)).toContain('history-system');
    expect(rest.operation!.map((o) => o.name)).toContain('meta');
    expect(responseOf(statement as unknown as FhirResource).headers.get('content-type')).toMatch(/^application\/fhir\+json/);
  });

  it('creates, reads, updates with If-Match, vreads and deletes; history pages with nextPage', async () => {
    const created = await client.create({
      resourceType: 'Patient',
      body: { resourceType: 'Patient', name: [{ family: 'Okafor', given: ['Ada'] }], birthDate: '1980-02-03' },
    });
    const patient = as<Patient>(created);
    const id = patient.id!;
    expect(id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(patient.meta?.versionId).toBe('1');
    expect(Date.parse(patient.meta!.lastUpdated!)).not.toBeNaN();
    const createdResponse = responseOf(created);
    expect(createdResponse.status).toBe(201);
    expect(createdResponse.headers.get('location')).toBe(`${baseUrl}/Patient/${id}/_history/1`);
    expect(createdResponse.headers.get('etag')).toBe('W/"1"');

    const read = await client.read({ resourceType: 'Patient', id });
    expect(as<Patient>(read).name).toEqual([{ family: 'Okafor', given: ['Ada'] }]);
    expect(as<Patient>(read).birthDate).toBe('1980-02-03');
    expect(responseOf(read).headers.get('etag')).toBe('W/"1"');

    const updated = await ok<Patient>(client.update({ resourceType: 'Patient', id, body: { ...as<Patient>(read), active: true } as FhirResource }));
    expect(updated.meta?.versionId).toBe('2');
    expect(updated.active).toBe(true);

    // A stale If-Match loses with 412 and changes nothing.
    const stale = await rejection(
      client.update({ resourceType: 'Patient', id, body: { resourceType: 'Patient', id, active: false }, options: { headers: { 'If-Match': 'W/"1"' } } }),
    );
    expect(stale.status).toBe(412);
    expect(stale.data.resourceType).toBe('OperationOutcome');
    expect(stale.data.issue[0]!.severity).toBe('error');
    expect(as<Patient>(await client.read({ resourceType: 'Patient', id })).active).toBe(true);
    // The current ETag wins.
    const third = await client.update({
      resourceType: 'Patient',
      id,
      body: { resourceType: 'Patient', id, active: false, name: [{ family: 'Okafor-Bello' }] },
      options: { headers: { 'If-Match': 'W/"2"' } },
    });
    expect(as<Patient>(third).meta?.versionId).toBe('3');
    expect(responseOf(third).status).toBe(200);

    const v1 = as<Patient>(await client.vread({ resourceType: 'Patient', id, version: '1' }));
    expect(v1.meta?.versionId).toBe('1');
    expect(v1.active).toBeUndefined();
    expect(v1.name![0]!.family).toBe('Okafor');
    expect(as<Patient>(await client.vread({ resourceType: 'Patient', id, version: '2' })).active).toBe(true);
    expect((await rejection(client.vread({ resourceType: 'Patient', id, version: '9' }))).status).toBe(404);

    const deleted = as<OperationOutcome>(await client.delete({ resourceType: 'Patient', id }));
    expect(deleted.resourceType).toBe('OperationOutcome');
    expect(deleted.issue[0]!.severity).toBe('information');
    const gone = await rejection(client.read({ resourceType: 'Patient', id }));
    expect(gone.status).toBe(410);
    expect(gone.data.resourceType).toBe('OperationOutcome');
    expect(gone.data.issue[0]!.code).toBe('deleted');
    // Old versions stay readable after a delete.
    expect(as<Patient>(await client.vread({ resourceType: 'Patient', id, version: '3' })).name![0]!.family).toBe('Okafor-Bello');
    expect((await rejection(client.read({ resourceType: 'Patient', id: 'never-existed' }))).status).toBe(404);

    const first = await client.resourceHistory({ resourceType: 'Patient', id });
    expect(as<Bundle>(first).total).toBe(4);
    const history = await allPages(first);
    expect(history.pages).toBe(2);
    expect(etags(history.entries)).toEqual(['W/"4"', 'W/"3"', 'W/"2"', 'W/"1"']);
    expect(history.entries.map((e) => e.request?.method)).toEqual(['DELETE', 'PUT', 'PUT', 'POST']);
    expect(history.entries[0]!.resource).toBeUndefined();
    expect(history.entries.every((e) => e.fullUrl === `${baseUrl}/Patient/${id}`)).toBe(true);
  });

  it('pages type and system history', async () => {
    const ids: string[] = [];
    for (const name of ['North Clinic', 'South Clinic', 'East Clinic']) {
      ids.push(as<{ id: string }>(await client.create({ resourceType: 'Organization', body: { resourceType: 'Organization', name } })).id);
    }
    await client.update({ resourceType: 'Organization', id: ids[0]!, body: { resourceType: 'Organization', id: ids[0], name: 'North Clinic (renamed)' } });

    const typeHistory = await allPages(await client.typeHistory({ resourceType: 'Organization' }));
    expect(typeHistory.pages).toBe(2);
    expect(typeHistory.entries.map((e) => `${e.request?.method} ${(e.resource as { name?: string }).name}`)).toEqual([
      'PUT North Clinic (renamed)',
      'POST East Clinic',
      'POST South Clinic',
      'POST North Clinic',
    ]);

    const firstSystemPage = await client.systemHistory();
    const total = as<Bundle>(firstSystemPage).total;
    const systemHistory = await allPages(firstSystemPage);
    // This file's database holds the 4 Patient versions above and these 4 Organization versions.
    expect(systemHistory.entries).toHaveLength(8);
    if (total !== undefined) expect(total).toBe(8);
    expect(systemHistory.pages).toBe(4);
    const keys = systemHistory.entries.map((e) => `${e.fullUrl} ${e.response?.etag}`);
    expect(new Set(keys).size).toBe(8);
    expect(systemHistory.entries.slice(0, 4)).toEqual(typeHistory.entries);
    expect(systemHistory.entries.slice(4).every((e) => e.fullUrl?.startsWith(`${baseUrl}/Patient/`))).toBe(true);
    // Newest first across types.
    const times = systemHistory.entries.map((e) => Date.parse(e.response!.lastModified!));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('invokes $meta-add and $meta through operation()', async () => {
    const patient = as<Patient>(await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'female' } }));
    const id = patient.id!;
    const tag = { system: 'http://example.org/tags', code: 'vip' };
    const input = { resourceType: 'Parameters', parameter: [{ name: 'meta', valueMeta: { tag: [tag], profile: ['http://example.org/StructureDefinition/p'] } }] };

    const added = await ok<Parameters>(client.operation({ name: '$meta-add', resourceType: 'Patient', id, input }));
    expect(added.resourceType).toBe('Parameters');
    expect(added.parameter![0]!.name).toBe('return');
    expect(added.parameter![0]!.valueMeta).toEqual({ profile: ['http://example.org/StructureDefinition/p'], tag: [tag] });

    const meta = await ok<Parameters>(client.operation({ name: 'meta', resourceType: 'Patient', id, method: 'GET' }));
    expect(meta.parameter![0]!.valueMeta?.tag).toEqual([tag]);
    // Labels change in place: no new version.
    const read = as<Patient>(await client.read({ resourceType: 'Patient', id }));
    expect(read.meta?.versionId).toBe('1');
    expect(read.meta?.tag).toEqual([tag]);

    const typeMeta = await ok<Parameters>(client.operation({ name: '$meta', resourceType: 'Patient', method: 'GET' }));
    expect(typeMeta.parameter![0]!.valueMeta?.tag).toContainEqual(tag);
    const systemMeta = await ok<Parameters>(client.operation({ name: '$meta', method: 'GET' }));
    expect(systemMeta.parameter![0]!.valueMeta?.profile).toContain('http://example.org/StructureDefinition/p');

    // $meta-add changes state, so GET is refused.
    const refused = await rejection(client.operation({ name: '$meta-add', resourceType: 'Patient', id, method: 'GET' }));
    expect(refused.status).toBe(405);
    expect(refused.data.resourceType).toBe('OperationOutcome');
  });
});
