/**
 * Search input is never a way in: regex metacharacters, operator-shaped JSON, huge numbers,
 * invalid dates, thousand-way ORs, very long values and odd page positions give correct results
 * or a 400 OperationOutcome, never a 500, and nothing stored changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  for (const [id, family] of [['i1', 'Smith'], ['i2', 'a.b*c(d)[e]'], ['i3', 'O$Neil']]) {
    await server.request.put(`/fhir/Patient/${id}`).set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient', id, name: [{ family }], birthDate: '1990-01-01' });
  }
  await server.request.put('/fhir/RiskAssessment/r1').set('Content-Type', FHIR_JSON).send({ resourceType: 'RiskAssessment', id: 'r1', status: 'final', subject: { reference: 'Patient/i1' }, prediction: [{ probabilityDecimal: 0.5 }] });
});
afterAll(async () => {
  await server?.close();
});

async function search(query: string): Promise<{ status: number; ids: string[]; body: { resourceType: string } }> {
  const res = await server.request.get(`/fhir/${query}`);
  const ids = ((res.body.entry ?? []) as Array<{ resource: { id: string }; search: { mode: string } }>)
    .filter((e) => e.search.mode === 'match')
    .map((e) => e.resource.id)
    .sort();
  return { status: res.status, ids, body: res.body };
}

describe('hostile search input', () => {
  it('treats regex metacharacters and operator-shaped text as plain values', async () => {
    expect((await search(`Patient?family=${encodeURIComponent('a.b*c(d)[e]')}`)).ids).toEqual(['i2']);
    expect((await search(`Patient?family=${encodeURIComponent('.*')}`)).ids).toEqual([]);
    expect((await search(`Patient?family:contains=${encodeURIComponent('*c(')}`)).ids).toEqual(['i2']);
    expect((await search(`Patient?family=${encodeURIComponent('o$')}`)).ids).toEqual(['i3']);
    expect((await search(`Patient?family=${encodeURIComponent('{"$gt":""}')}`)).ids).toEqual([]);
    expect((await search(`Patient?_id=${encodeURIComponent('{"$ne":null}')}`)).ids).toEqual([]);
    expect((await search(`Patient?family[$ne]=x`)).status).toBe(200); // an unknown parameter name, ignored
    expect((await search(`Patient?family[$ne]=x`)).ids).toEqual(['i1', 'i2', 'i3']);
  });

  it('answers huge, tiny and malformed numbers and dates with results or a 400', async () => {
    expect((await search('RiskAssessment?probability=gt1e308')).ids).toEqual([]);
    expect((await search('RiskAssessment?probability=lt1e308')).ids).toEqual(['r1']);
    for (const bad of ['1e999', 'NaN', 'Infinity', '0x10', '1,', '--1']) {
      const res = await search(`RiskAssessment?probability=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
    for (const bad of ['2020-13-01', '2020-02-30', '99999-01-01', 'ge', 'yesterday', '2020-01-01T25:00:00Z']) {
      const res = await search(`Patient?birthdate=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
    }
  });

  it('handles a thousand-way OR and refuses far wider ones', async () => {
    const many = Array.from({ length: 1000 }, (_, n) => `nobody${n}`).concat('smith').join(',');
    expect((await search(`Patient?family=${many}`)).ids).toEqual(['i1']);
    const tooMany = Array.from({ length: 5000 }, (_, n) => `x${n}`).join(',');
    const res = await server.request.post('/fhir/Patient/_search').type('form').send(`family=${tooMany}`);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('refuses very long values, absurd page sizes are capped, and forged positions are 400', async () => {
    const long = 'a'.repeat(5000);
    expect((await search(`Patient?family=${long}`)).status).toBe(400);
    const capped = await search('Patient?_count=99999999');
    expect(capped.status).toBe(200);
    for (const page of ['%00', 'W3sic29ydCI6MX1d', Buffer.from('[0,{"$gt":""}]').toString('base64url')]) {
      expect((await search(`Patient?_page=${page}`)).status).toBe(400);
    }
  });

  it('leaves stored data unchanged', async () => {
    const res = await server.request.get('/fhir/Patient/i2');
    expect(res.body.meta.versionId).toBe('1');
    expect(res.body.name[0].family).toBe('a.b*c(d)[e]');
  });
});
