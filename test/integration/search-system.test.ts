/**
 * System search: `GET /fhir?_type=…` (and POST /fhir/_search), one type after another, with
 * parameters common to the types searched, paging across types, totals and includes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const TAG = 'urn:test:system-search|x';

async function put(resource: Record<string, unknown>): Promise<void> {
  const res = await server.request.put(`/fhir/${resource.resourceType}/${resource.id}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

const keys = (body: { entry?: Array<{ resource: { resourceType: string; id: string }; search: { mode: string } }> }) =>
  (body.entry ?? []).filter((e) => e.search.mode !== 'outcome').map((e) => `${e.search.mode === 'include' ? '+' : ''}${e.resource.resourceType}/${e.resource.id}`);

beforeAll(async () => {
  server = await startTestServer();
  const meta = { tag: [{ system: 'urn:test:system-search', code: 'x' }] };
  await put({ resourceType: 'Patient', id: 's1', meta, name: [{ family: 'Adeyemi' }] });
  await put({ resourceType: 'Patient', id: 's2', meta, name: [{ family: 'Bello' }], managingOrganization: { reference: 'Organization/o1' } });
  await put({ resourceType: 'Practitioner', id: 'd1', meta, name: [{ family: 'Adeyemi' }] });
  await put({ resourceType: 'Organization', id: 'o1', meta, name: 'Clinic' });
  await put({ resourceType: 'Organization', id: 'o2', name: 'Untagged' });
});
afterAll(async () => {
  await server?.close();
});

describe('system search', () => {
  it('searches the types of _type in order, on parameters they all have', async () => {
    const res = await server.request.get('/fhir?_type=Practitioner,Patient&name=adeyemi&_total=accurate');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(keys(res.body)).toEqual(['Practitioner/d1', 'Patient/s1']);
    expect(res.body.link[0].url).toBe('http://localhost:8080/fhir?_type=Practitioner%2CPatient&name=adeyemi&_total=accurate');
  });

  it('without _type searches every type on the common parameters, paging across types', async () => {
    const all: string[] = [];
    let next: string | undefined = `/fhir?_tag=${encodeURIComponent(TAG)}&_count=1`;
    while (next) {
      const res = await server.request.get(next);
      expect(res.status).toBe(200);
      all.push(...keys(res.body));
      next = res.body.link.find((l: { relation: string }) => l.relation === 'next')?.url.replace('http://localhost:8080', '');
    }
    expect(all).toEqual(['Organization/o1', 'Patient/s1', 'Patient/s2', 'Practitioner/d1']);
    const count = await server.request.get(`/fhir?_tag=${encodeURIComponent(TAG)}&_summary=count`);
    expect(count.body.total).toBe(4);
    expect(count.body.entry).toBeUndefined();
  });

  it('includes, POST _search, and the refusals', async () => {
    const included = await server.request.post('/fhir/_search').type('form').send('_type=Patient&_id=s2&_include=Patient:organization');
    expect(included.status).toBe(200);
    expect(keys(included.body)).toEqual(['Patient/s2', '+Organization/o1']);
    expect((await server.request.get('/fhir?_type=Patient,Organization&_sort=_id')).status).toBe(400);
    expect((await server.request.get('/fhir?_type=NoSuchType')).status).toBe(404);
    expect((await server.request.get('/fhir?_type=Patient,Organization&gender=male').set('Prefer', 'handling=strict')).status).toBe(400);
    expect((await server.request.get('/fhir?_page=bogus')).status).toBe(400);
  });
});
