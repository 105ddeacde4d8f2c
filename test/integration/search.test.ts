/**
 * Search over HTTP: values indexed when written, the searchset Bundle, paging links, sorting,
 * chains, _has, includes, and the handling of unknown and malformed parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const base = 'http://localhost:8080/fhir';

async function put(resource: Record<string, unknown>): Promise<void> {
  const res = await server.request.put(`/fhir/${resource.resourceType}/${resource.id}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

async function ids(path: string): Promise<string[]> {
  const res = await server.request.get(path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ((res.body.entry ?? []) as Array<{ resource: { resourceType: string; id: string }; search: { mode: string } }>)
    .filter((e) => e.search.mode !== 'outcome')
    .map((e) => `${e.search.mode === 'include' ? '+' : ''}${e.resource.resourceType}/${e.resource.id}`);
}

beforeAll(async () => {
  server = await startTestServer();
  await put({ resourceType: 'Organization', id: 'org1', name: 'Lagos General' });
  await put({ resourceType: 'Practitioner', id: 'dr1', name: [{ family: 'Okafor', given: ['Ngozi'] }] });
  await put({ resourceType: 'Patient', id: 'p1', name: [{ family: 'Zoë', given: ['Ann'] }], gender: 'female', birthDate: '1980-05-01', managingOrganization: { reference: 'Organization/org1' }, generalPractitioner: [{ reference: 'Practitioner/dr1' }], identifier: [{ system: 'urn:mrn', value: 'A1' }] });
  await put({ resourceType: 'Patient', id: 'p2', name: [{ family: 'Smith', given: ['Bob'] }], gender: 'male', birthDate: '1975', identifier: [{ system: 'urn:mrn', value: 'B2' }] });
  await put({ resourceType: 'Patient', id: 'p3', name: [{ family: 'Smithers' }], gender: 'male', managingOrganization: { reference: `${base}/Organization/org1` } });
  await put({ resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] }, subject: { reference: 'Patient/p1' }, valueQuantity: { value: 72, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' }, effectiveDateTime: '2024-03-01T10:00:00Z' });
  await put({ resourceType: 'Observation', id: 'o2', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] }, subject: { reference: 'Patient/p2' }, valueQuantity: { value: 90500, unit: 'g', system: 'http://unitsofmeasure.org', code: 'g' }, effectiveDateTime: '2023-01-01' });
});
afterAll(async () => {
  await server?.close();
});

describe('search', () => {
  it('answers a searchset Bundle with match entries, fullUrls and a self link', async () => {
    const res = await server.request.get('/fhir/Patient?gender=male&_total=accurate');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(res.body.link[0]).toEqual({ relation: 'self', url: `${base}/Patient?gender=male&_total=accurate` });
    expect(res.body.entry.map((e: { fullUrl: string }) => e.fullUrl)).toEqual([`${base}/Patient/p2`, `${base}/Patient/p3`]);
    expect(res.body.entry[0].search).toEqual({ mode: 'match' });
  });

  it('matches strings by normalised prefix, :exact and :contains', async () => {
    expect(await ids('/fhir/Patient?family=smith')).toEqual(['Patient/p2', 'Patient/p3']);
    expect(await ids('/fhir/Patient?name=zoe')).toEqual(['Patient/p1']);
    expect(await ids('/fhir/Patient?family:exact=Smith')).toEqual(['Patient/p2']);
    expect(await ids('/fhir/Patient?family:contains=ither')).toEqual(['Patient/p3']);
  });

  it('matches tokens, dates, quantities in canonical units, and references in every form', async () => {
    expect(await ids('/fhir/Patient?identifier=urn:mrn|B2')).toEqual(['Patient/p2']);
    expect(await ids('/fhir/Patient?birthdate=ge1979')).toEqual(['Patient/p1']);
    expect(await ids('/fhir/Patient?birthdate=1975')).toEqual(['Patient/p2']);
    expect(await ids('/fhir/Observation?value-quantity=gt80|http://unitsofmeasure.org|kg')).toEqual(['Observation/o2']);
    expect(await ids('/fhir/Observation?code=http://loinc.org|29463-7&date=ge2024-01-01')).toEqual(['Observation/o1']);
    expect(await ids('/fhir/Patient?organization=Organization/org1')).toEqual(['Patient/p1', 'Patient/p3']);
    expect(await ids('/fhir/Patient?organization=org1')).toEqual(['Patient/p1', 'Patient/p3']);
    expect(await ids(`/fhir/Patient?organization=${encodeURIComponent(`${base}/Organization/org1`)}`)).toEqual(['Patient/p1', 'Patient/p3']);
    expect(await ids('/fhir/Patient?organization:missing=true')).toEqual(['Patient/p2']);
  });

  it(':text is a string search on the display text; a Range quantity is searched as a range', async () => {
    await put({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, code: { coding: [{ system: 'http://snomed.info/sct', code: '195662009', display: 'Acute viral pharyngitis' }] } });
    expect(await ids('/fhir/Condition?code:text=acute vir')).toEqual(['Condition/c1']);
    expect(await ids('/fhir/Condition?code:text=viral')).toEqual([]);
    // Ages 3 to 18 years (the spec's measure-cms146-example), and 12 years or more.
    const age = (id: string, valueRange: Record<string, unknown>) => ({
      resourceType: 'Measure', id, status: 'active', useContext: [{ code: { system: 'http://terminology.hl7.org/CodeSystem/usage-context-type', code: 'age' }, valueRange }],
    });
    await put(age('m1', { low: { value: 3, unit: 'a' }, high: { value: 18, unit: 'a' } }));
    await put(age('m2', { low: { value: 12, unit: 'a' } }));
    expect(await ids('/fhir/Measure?context-quantity=gt10')).toEqual(['Measure/m1', 'Measure/m2']);
    expect(await ids('/fhir/Measure?context-quantity=gt20')).toEqual(['Measure/m2']);
    expect(await ids('/fhir/Measure?context-quantity=lt5')).toEqual(['Measure/m1']);
    expect(await ids('/fhir/Measure?context-quantity=12')).toEqual([]);
    expect(await ids('/fhir/Measure?context-quantity=ne12')).toEqual(['Measure/m1', 'Measure/m2']);
    expect(await ids('/fhir/Measure?context-type-quantity=age$ge18')).toEqual(['Measure/m1', 'Measure/m2']);
  });

  it('chains, reverse chains and includes', async () => {
    expect(await ids('/fhir/Observation?subject:Patient.name=zoe')).toEqual(['Observation/o1']);
    expect(await ids('/fhir/Observation?patient.organization.name=lagos')).toEqual(['Observation/o1']);
    expect(await ids('/fhir/Patient?_has:Observation:patient:code=29463-7')).toEqual(['Patient/p1', 'Patient/p2']);
    expect(await ids('/fhir/Patient?_has:Observation:patient:date=2023')).toEqual(['Patient/p2']);
    expect(await ids('/fhir/Observation?_id=o1&_include=Observation:subject')).toEqual(['Observation/o1', '+Patient/p1']);
    expect(await ids('/fhir/Observation?_id=o1&_include=Observation:subject&_include:iterate=Patient:organization')).toEqual([
      'Observation/o1',
      '+Patient/p1',
      '+Organization/org1',
    ]);
    expect(await ids('/fhir/Patient?_id=p1&_revinclude=Observation:subject')).toEqual(['Patient/p1', '+Observation/o1']);
  });

  it('sorts and pages with next links that carry an opaque position', async () => {
    expect(await ids('/fhir/Patient?_sort=-birthdate')).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3']);
    expect(await ids('/fhir/Patient?_sort=family')).toEqual(['Patient/p2', 'Patient/p3', 'Patient/p1']);
    const seen: string[] = [];
    let next: string | undefined = '/fhir/Patient?_sort=family&_count=1';
    while (next) {
      const res = await server.request.get(next);
      expect(res.status).toBe(200);
      seen.push(...res.body.entry.map((e: { resource: { id: string } }) => e.resource.id));
      next = res.body.link.find((l: { relation: string }) => l.relation === 'next')?.url.replace('http://localhost:8080', '');
    }
    expect(seen).toEqual(['p2', 'p3', 'p1']);
    const forged = await server.request.get('/fhir/Patient?_sort=family&_page=eyIkZ3QiOiIifQ');
    expect(forged.status).toBe(400);
  });

  it('POST _search takes a form body; _summary=count answers the total only', async () => {
    const res = await server.request.post('/fhir/Patient/_search').type('form').send('gender=male&_total=accurate');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    const count = await server.request.get('/fhir/Patient?gender=male&_summary=count');
    expect(count.body.total).toBe(2);
    expect(count.body.entry).toBeUndefined();
  });

  it('ignores and reports unknown parameters, or refuses them under handling=strict; malformed values are 400', async () => {
    const lenient = await server.request.get('/fhir/Patient?gender=male&shoe-size=42');
    expect(lenient.status).toBe(200);
    const outcome = lenient.body.entry.find((e: { search: { mode: string } }) => e.search.mode === 'outcome');
    expect(outcome.resource.issue[0]).toMatchObject({ severity: 'warning', code: 'not-supported' });
    expect(lenient.body.link[0].url).toBe(`${base}/Patient?gender=male`);
    const strict = await server.request.get('/fhir/Patient?gender=male&shoe-size=42').set('Prefer', 'handling=strict');
    expect(strict.status).toBe(400);
    expect(strict.body.resourceType).toBe('OperationOutcome');
    for (const bad of ['birthdate=notadate', 'birthdate=xx2020', 'family:regex=x', '_count=-1', '_sort=shoe', 'value-quantity=abc']) {
      const type = bad.startsWith('value') ? 'Observation' : 'Patient';
      const res = await server.request.get(`/fhir/${type}?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
    // Injection attempts are values like any other.
    expect(await ids(`/fhir/Patient?family=${encodeURIComponent('.*')}`)).toEqual([]);
    expect(await ids(`/fhir/Patient?family=${encodeURIComponent('{"$gt":""}')}`)).toEqual([]);
  });
});
