/**
 * `_contained` and `_containedType` over HTTP (search.html#contained): contained resources are
 * indexed on every write of their container (create, update, patch, delete, transactions and
 * their bulk creates), searched with the parameters of their own type, returned as their container
 * or by themselves, and paged exactly across top-level and contained matches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainedDoc } from '../../src/store/mongo/contained';
import type { MongoEngine } from '../../src/store/mongo/engine';
import { startJongodb } from '../../src/store/mongo/engine';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

const base = 'http://localhost:8080/fhir';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

type Entry = { fullUrl: string; resource: { resourceType: string; id: string; meta?: unknown }; search: { mode: string } };

let jongodb: MongoEngine;
const servers: Record<string, TestServer> = {};
let server: TestServer;

const medication = (id: string, code: string, display: string) => ({ resourceType: 'Medication', id, code: { coding: [{ system: RXNORM, code, display }] } });
const medicationRequest = (id: string | undefined, contained: object[]) => ({
  resourceType: 'MedicationRequest',
  ...(id ? { id } : {}),
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/pt1' },
  contained,
  medicationReference: { reference: `#${(contained[0] as { id: string }).id}` },
});
const patient = (id: string, organization?: string) => ({
  resourceType: 'Patient',
  id,
  ...(organization ? { contained: [{ resourceType: 'Organization', id: 'org', name: organization }], managingOrganization: { reference: '#org' } } : {}),
});

async function put(resource: { resourceType: string; id?: string; [field: string]: unknown }, on = server): Promise<void> {
  const res = await on.request.put(`/fhir/${resource.resourceType}/${resource.id}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

async function searchEntries(path: string, on = server): Promise<{ entries: Entry[]; next?: string; total?: number }> {
  const res = await on.request.get(path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const entries = ((res.body.entry ?? []) as Entry[]).filter((e) => e.search.mode !== 'outcome');
  const next = (res.body.link as Array<{ relation: string; url: string }>).find((l) => l.relation === 'next')?.url;
  return { entries, next: next?.slice(base.length - '/fhir'.length), total: res.body.total };
}

/** The match entries as their fullUrls relative to the base (`Type/id` or `Type/id#containedId`). */
async function found(path: string, on = server): Promise<string[]> {
  const { entries } = await searchEntries(path, on);
  for (const e of entries) expect(e.search.mode).toBe('match');
  return entries.map((e) => e.fullUrl.slice(base.length + 1));
}

/** Every page, following `next` links, as fullUrls relative to the base. */
async function allPages(path: string): Promise<{ urls: string[]; pages: number }> {
  const urls: string[] = [];
  let pages = 0;
  for (let next: string | undefined = path; next !== undefined && pages < 50; pages++) {
    const page = await searchEntries(next);
    urls.push(...page.entries.map((e) => e.fullUrl.slice(base.length + 1)));
    next = page.next;
  }
  return { urls, pages };
}

beforeAll(async () => {
  jongodb = await startJongodb();
  servers.journal = await startTestServer();
  servers.transactions = await startTestServer({ mongodbUrl: jongodb.url });
  server = servers.journal;
  await put(medicationRequest('mr1', [medication('med1', '1191', 'Aspirin')]));
  await put(medicationRequest('mr2', [medication('med2', '1191', 'Aspirin 81 mg'), medication('med3', '5640', 'Ibuprofen')]));
  await put(medication('m-top', '1191', 'Aspirin'));
  await put(patient('pt1', 'North Clinic'));
  await put({ resourceType: 'Organization', id: 'o-top', name: 'North Hospital' });
});
afterAll(async () => {
  for (const each of Object.values(servers)) await each.close();
  await jongodb?.stop();
});

describe('_contained', () => {
  it('false (the default) finds top-level resources only', async () => {
    expect(await found('/fhir/Medication?code=1191')).toEqual(['Medication/m-top']);
    expect(await found('/fhir/Medication?code=1191&_contained=false')).toEqual(['Medication/m-top']);
    expect(await found('/fhir/Organization?name=north')).toEqual(['Organization/o-top']);
  });

  it('true returns the container of each match, once, as a match', async () => {
    const { entries } = await searchEntries('/fhir/Medication?code=1191&_contained=true');
    expect(entries.map((e) => e.fullUrl)).toEqual([`${base}/MedicationRequest/mr1`, `${base}/MedicationRequest/mr2`]);
    expect(entries[0]!.resource).toMatchObject({ resourceType: 'MedicationRequest', id: 'mr1', contained: [{ resourceType: 'Medication', id: 'med1' }] });
    expect(entries[0]!.search).toEqual({ mode: 'match' });
    // mr2 holds two Medications: it comes once.
    expect(await found('/fhir/Medication?_contained=true')).toEqual(['MedicationRequest/mr1', 'MedicationRequest/mr2']);
    expect(await found('/fhir/Medication?code=5640&_contained=true')).toEqual(['MedicationRequest/mr2']);
    expect(await found(`/fhir/Medication?code=${encodeURIComponent(`${RXNORM}|5640`)}&_contained=true`)).toEqual(['MedicationRequest/mr2']);
    expect(await found('/fhir/Organization?name=north&_contained=true')).toEqual(['Patient/pt1']);
    expect(await found('/fhir/Organization?name=hospital&_contained=true')).toEqual([]);
  });

  it('_containedType=contained returns the contained resource itself, under its container’s URL with #id', async () => {
    const { entries } = await searchEntries('/fhir/Medication?code=1191&_contained=true&_containedType=contained');
    expect(entries).toEqual([
      { fullUrl: `${base}/MedicationRequest/mr1#med1`, resource: medication('med1', '1191', 'Aspirin'), search: { mode: 'match' } },
      { fullUrl: `${base}/MedicationRequest/mr2#med2`, resource: medication('med2', '1191', 'Aspirin 81 mg'), search: { mode: 'match' } },
    ]);
    expect(await found('/fhir/Medication?_contained=true&_containedType=contained')).toEqual([
      'MedicationRequest/mr1#med1',
      'MedicationRequest/mr2#med2',
      'MedicationRequest/mr2#med3',
    ]);
    // _elements shapes the contained resource like any returned resource.
    const { entries: shaped } = await searchEntries('/fhir/Medication?code=5640&_contained=true&_containedType=contained&_elements=id');
    expect(shaped[0]!.resource).not.toHaveProperty('code');
  });

  it('both returns top-level matches, then contained ones, with their total', async () => {
    expect(await found('/fhir/Medication?code=1191&_contained=both')).toEqual(['Medication/m-top', 'MedicationRequest/mr1', 'MedicationRequest/mr2']);
    expect(await found('/fhir/Organization?name=north&_contained=both&_containedType=contained')).toEqual(['Organization/o-top', 'Patient/pt1#org']);
    expect((await searchEntries('/fhir/Medication?code=1191&_contained=both&_total=accurate')).total).toBe(3);
    expect((await searchEntries('/fhir/Medication?_contained=both&_containedType=contained&_total=accurate')).total).toBe(4);
    const counted = await server.request.get('/fhir/Medication?_contained=true&_summary=count');
    expect(counted.body).toMatchObject({ total: 2 });
    expect(counted.body.entry).toBeUndefined();
  });

  it('pages with _count=1 across both sources: every match exactly once', async () => {
    for (const query of ['_contained=both&_containedType=contained', '_contained=both', '_contained=true', '_contained=true&_containedType=contained']) {
      const all = await found(`/fhir/Medication?${query}&_count=50`);
      const paged = await allPages(`/fhir/Medication?${query}&_count=1`);
      expect(paged.urls, query).toEqual(all);
      expect(new Set(paged.urls).size, query).toBe(paged.urls.length);
    }
    expect((await allPages('/fhir/Medication?_contained=both&_containedType=contained&_count=1')).urls).toEqual([
      'Medication/m-top',
      'MedicationRequest/mr1#med1',
      'MedicationRequest/mr2#med2',
      'MedicationRequest/mr2#med3',
    ]);
    expect((await allPages('/fhir/Medication?_contained=both&_count=2')).urls).toEqual(['Medication/m-top', 'MedicationRequest/mr1', 'MedicationRequest/mr2']);
  });

  it('an update that changes or removes a contained resource: old values are no longer found', async () => {
    await put(patient('pt2', 'East Clinic'));
    expect(await found('/fhir/Organization?name=east&_contained=true')).toEqual(['Patient/pt2']);
    await put(patient('pt2', 'West Clinic'));
    expect(await found('/fhir/Organization?name=east&_contained=true')).toEqual([]);
    expect(await found('/fhir/Organization?name=west&_contained=true')).toEqual(['Patient/pt2']);
    await put(patient('pt2'));
    expect(await found('/fhir/Organization?name=west&_contained=true')).toEqual([]);
    // A patch goes through the same write path.
    const patched = await server.request
      .patch('/fhir/Patient/pt2')
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'add', path: '/contained', value: [{ resourceType: 'Organization', id: 'org', name: 'Patched Clinic' }] }]);
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(await found('/fhir/Organization?name=patched&_contained=true&_containedType=contained')).toEqual(['Patient/pt2#org']);
  });

  it('a deleted container is no longer found, nor left in the index', async () => {
    await put(patient('pt3', 'Gone Clinic'));
    expect(await found('/fhir/Organization?name=gone&_contained=true')).toEqual(['Patient/pt3']);
    expect((await server.request.delete('/fhir/Patient/pt3')).status).toBeLessThan(300);
    expect(await found('/fhir/Organization?name=gone&_contained=both')).toEqual([]);
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    expect(await db.collection('contained').countDocuments({ c: 'Patient/pt3' })).toBe(0);
  });

  it('never returns an entry made from another version of its container (a race or a crash left it)', async () => {
    const db = server.container.mongoClient.db(server.config.mongodbDatabase);
    const str = [{ p: 'name', n: 'ghost clinic', x: 'Ghost Clinic' }];
    await db.collection<ContainedDoc>('contained').insertOne({ _id: 'Patient/pt1#ghost', t: 'Organization', c: 'Patient/pt1', v: 99, str });
    expect(await found('/fhir/Organization?name=ghost&_contained=true')).toEqual([]);
    expect(await found('/fhir/Organization?_contained=true&_containedType=contained')).toEqual(['Patient/pt1#org', 'Patient/pt2#org']);
    await db.collection<ContainedDoc>('contained').deleteOne({ _id: 'Patient/pt1#ghost' });
  });

  it('refuses what it does not evaluate on contained resources (400), and malformed options', async () => {
    for (const path of [
      '/fhir/Medication?_contained=maybe',
      '/fhir/Medication?_contained=true&_containedType=parent',
      '/fhir/Medication?_contained=true&_include=Medication:manufacturer',
      '/fhir/Medication?_contained=both&_revinclude=MedicationRequest:medication',
      '/fhir/Medication?_contained=true&_sort=code',
      '/fhir/Medication?_contained=true&_id=med1',
      '/fhir/Medication?_contained=true&_lastUpdated=gt2000',
      '/fhir/MedicationRequest?_contained=true&subject.name=x',
      '/fhir/Patient?_contained=both&_has:Observation:patient:code=x',
      '/fhir/Patient/pt1/MedicationRequest?_contained=true',
      '/fhir?_type=Medication&_contained=true',
      '/fhir/Medication?_contained=both&_page=bm90LWEtcG9zaXRpb24',
      `/fhir/Medication?_contained=true&_page=${Buffer.from(JSON.stringify([0, Buffer.from(JSON.stringify(['contained', { $gt: '' }])).toString('base64url')])).toString('base64url')}`,
    ]) {
      const res = await server.request.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.resourceType, path).toBe('OperationOutcome');
    }
  });
});

describe.each(['journal', 'transactions'])('_contained after transactions (%s path)', (path) => {
  const on = () => servers[path]!;
  const contained = () => on().container.mongoClient.db(on().config.mongodbDatabase).collection('contained');

  it('runs on the expected path', () => {
    expect(on().container.store.supportsTransactions).toBe(path === 'transactions');
  });

  it('indexes the contained resources of creates written in bulk', async () => {
    const entry = [1, 2, 3].map((n) => ({
      resource: medicationRequest(undefined, [medication(`m${n}`, `bulk-${path}`, `Bulk ${n}`)]),
      request: { method: 'POST', url: 'MedicationRequest' },
    }));
    const res = await on().request.post('/fhir').set('Content-Type', FHIR_JSON).send({ resourceType: 'Bundle', type: 'transaction', entry });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const ids = (res.body.entry as Array<{ response: { location: string } }>).map((e) => `MedicationRequest/${e.response.location.split('/').at(-3)}`);
    expect(await found(`/fhir/Medication?code=bulk-${path}&_contained=true`, on())).toEqual([...ids].sort());
    expect(await found(`/fhir/Medication?code=bulk-${path}&_contained=true&_containedType=contained`, on())).toEqual(
      ids.map((id, i) => ({ id, n: i + 1 })).sort((a, b) => (a.id < b.id ? -1 : 1)).map(({ id, n }) => `${id}#m${n}`),
    );
  });

  it('a failed transaction leaves no contained entries behind and restores those it replaced', async () => {
    await put(patient(`keep-${path}`, 'Before Clinic'), on());
    const before = await contained().find({}, { sort: { _id: 1 } }).toArray();
    const res = await on().request.post('/fhir').set('Content-Type', FHIR_JSON).send({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: medicationRequest(undefined, [medication('lost', `failed-${path}`, 'Lost')]), request: { method: 'POST', url: 'MedicationRequest' } },
        { resource: patient(`keep-${path}`, 'After Clinic'), request: { method: 'PUT', url: `Patient/keep-${path}` } },
        { resource: patient(`ghost-${path}`), request: { method: 'PUT', url: `Patient/ghost-${path}`, ifMatch: 'W/"3"' } },
      ],
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await found(`/fhir/Medication?code=failed-${path}&_contained=both`, on())).toEqual([]);
    expect(await found('/fhir/Organization?name=after&_contained=true', on())).toEqual([]);
    expect(await found('/fhir/Organization?name=before&_contained=true', on())).toEqual([`Patient/keep-${path}`]);
    expect(await contained().find({}, { sort: { _id: 1 } }).toArray()).toEqual(before);
  });
});
