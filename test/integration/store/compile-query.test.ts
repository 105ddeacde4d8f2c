/**
 * Compiled search filters run on the test engine over hand-made index entries: each criterion
 * selects exactly the documents the FHIR search rules say it should.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { compileCriteria } from '../../../src/store/mongo/compile-query';
import type { MongoEngine } from '../../../src/store/mongo/engine';
import { startJongodb } from '../../../src/store/mongo/engine';
import type { Criterion, DateValue } from '../../../src/store/search-criteria';

const d = (iso: string) => new Date(iso);
const docs: Document[] = [
  {
    _id: 'a',
    deleted: false,
    ts: d('2024-01-01T10:00:00.000Z'),
    str: [{ p: 'family', n: 'zoe-smith', x: 'Zoë-Smith' }, { p: 'given', n: 'ann', x: 'Ann' }],
    tok: [{ p: 'code', s: 'http://loinc.org', c: '1234-5', t: 'body weight' }, { p: 'gender', c: 'female' }],
    ref: [{ p: 'subject', r: 'Patient/1', ty: 'Patient' }],
    date: [{ p: 'date', lo: d('2020-03-01T00:00:00Z'), hi: d('2020-03-02T00:00:00Z') }],
    qty: [{ p: 'value', v: 5.4, lo: 5.35, hi: 5.45, s: 'http://unitsofmeasure.org', c: 'mg', u: 'mg', cv: 0.0054, clo: 0.00535, chi: 0.00545, cc: 'g' }],
    uri: [{ p: 'url', v: 'http://example.org/fhir/ValueSet/a' }],
    comp: [{ p: 'code-value', c: [{ s: 'http://loinc.org', c: '1234-5' }, { v: 5.4, cv: 0.0054, cc: 'g', s: 'http://unitsofmeasure.org', c: 'mg' }] }],
  },
  {
    _id: 'b',
    deleted: false,
    ts: d('2024-06-01T10:00:00.000Z'),
    str: [{ p: 'family', n: 'smithers', x: 'Smithers' }],
    tok: [{ p: 'code', s: 'http://snomed.info/sct', c: '1234-5' }, { p: 'gender', c: 'male' }],
    ref: [{ p: 'subject', r: 'Group/7', ty: 'Group' }],
    date: [{ p: 'date', lo: d('2020-01-01T00:00:00Z'), hi: d('2021-01-01T00:00:00Z') }],
    num: [{ p: 'n', v: 100, lo: 99.5, hi: 100.5 }],
  },
  {
    _id: 'c',
    deleted: false,
    ts: d('2025-01-01T00:00:00.000Z'),
    tok: [{ p: 'code', c: 'x' }],
    str: [{ p: 'family', n: 'a.b*c', x: 'a.b*c' }],
    // Ranges (no value): 3..18 and 12 years or more.
    num: [{ p: 'range', lo: 3, hi: 18 }],
    qty: [{ p: 'age', lo: 12, hi: Number.MAX_VALUE, s: 'http://unitsofmeasure.org', c: 'a', clo: 378691200, chi: Number.MAX_VALUE, cc: 's' }],
  },
  { _id: 'gone', deleted: true, ts: d('2024-01-01T00:00:00Z'), str: [{ p: 'family', n: 'smith', x: 'Smith' }] },
];

let collection: Collection<Document>;

async function ids(...criteria: Criterion[]): Promise<string[]> {
  const found = await collection.find(compileCriteria(criteria), { projection: { _id: 1 } }).toArray();
  return found.map((doc) => String(doc._id)).sort();
}

const range = (op: DateValue['op'], lo: string, hi: string): DateValue => ({ op, lo: d(lo), hi: d(hi) });

/** The same cases on each engine the store runs on (real MongoDB: MONGODB_URL runs). */
for (const engine of ['mongo-java-server', 'jongodb'] as const) {
  describe(`compiled search criteria on ${engine}`, () => {
    let client: MongoClient;
    let jongodb: MongoEngine | undefined;
    beforeAll(async () => {
      if (engine === 'jongodb') jongodb = await startJongodb();
      client = await MongoClient.connect(jongodb ? jongodb.url : inject('mongoUrl'));
      collection = client.db(`cq_${randomUUID().replace(/-/g, '').slice(0, 16)}`).collection('Thing');
      await collection.insertMany(docs);
    });
    afterAll(async () => {
      await collection.db.dropDatabase().catch(() => undefined); // jongodb has no dropDatabase
      await client.close();
      await jongodb?.stop();
    });
    cases();
  });
}

function cases(): void {
  it('string: prefix on normalised text, exact on the original, contains, regex characters literal', async () => {
    expect(await ids({ index: 'str', p: 'family', match: 'prefix', values: ['smith'] })).toEqual(['b']);
    expect(await ids({ index: 'str', p: 'family', match: 'prefix', values: ['zoe', 'smi'] })).toEqual(['a', 'b']);
    expect(await ids({ index: 'str', p: 'family', match: 'exact', values: ['Zoë-Smith'] })).toEqual(['a']);
    expect(await ids({ index: 'str', p: 'family', match: 'contains', values: ['mith'] })).toEqual(['a', 'b']);
    expect(await ids({ index: 'str', p: 'family', match: 'prefix', values: ['a.b*'] })).toEqual(['c']);
    expect(await ids({ index: 'str', p: 'family', match: 'prefix', values: ['.*'] })).toEqual([]);
    expect(await ids({ index: 'str', p: 'given', match: 'prefix', values: ['smith'] })).toEqual([]);
  });

  it('token: system|code on the same entry, code alone, no system, :not, :text', async () => {
    expect(await ids({ index: 'tok', p: 'code', values: [{ s: 'http://loinc.org', c: '1234-5' }] })).toEqual(['a']);
    expect(await ids({ index: 'tok', p: 'code', values: [{ c: '1234-5' }] })).toEqual(['a', 'b']);
    expect(await ids({ index: 'tok', p: 'code', values: [{ s: null, c: 'x' }] })).toEqual(['c']);
    expect(await ids({ index: 'tok', p: 'code', values: [{ s: 'http://snomed.info/sct' }] })).toEqual(['b']);
    expect(await ids({ index: 'tok', p: 'gender', values: [{ c: 'male' }], not: true })).toEqual(['a', 'c']);
    expect(await ids({ index: 'tok', p: 'code', text: ['body w'] })).toEqual(['a']);
    // :text is a string search: the text starts with the value, not any word of it.
    expect(await ids({ index: 'tok', p: 'code', text: ['weig'] })).toEqual([]);
  });

  it('reference by id, by type, and :missing', async () => {
    expect(await ids({ index: 'ref', p: 'subject', values: [{ r: 'Patient/1' }, { r: 'Group/7' }] })).toEqual(['a', 'b']);
    expect(await ids({ index: 'ref', p: 'subject', values: [{ ty: 'Group' }] })).toEqual(['b']);
    expect(await ids({ index: 'ref', p: 'subject', missing: true })).toEqual(['c']);
    expect(await ids({ index: 'ref', p: 'subject', missing: false })).toEqual(['a', 'b']);
  });

  it('date prefixes on ranges', async () => {
    const year = (op: DateValue['op']) => ({ index: 'date' as const, p: 'date', values: [range(op, '2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z')] });
    const day = (op: DateValue['op']) => ({ index: 'date' as const, p: 'date', values: [range(op, '2020-03-01T00:00:00Z', '2020-03-02T00:00:00Z')] });
    expect(await ids(year('eq'))).toEqual(['a', 'b']);
    expect(await ids(day('eq'))).toEqual(['a']);
    expect(await ids(day('ne'))).toEqual(['b']);
    expect(await ids(day('gt'))).toEqual(['b']);
    expect(await ids(day('lt'))).toEqual(['b']);
    expect(await ids(day('ge'))).toEqual(['a', 'b']);
    expect(await ids(day('sa'))).toEqual([]);
    expect(await ids({ index: 'date', p: 'date', values: [range('eb', '2021-01-01T00:00:00Z', '2021-01-02T00:00:00Z')] })).toEqual(['a', 'b']);
    expect(await ids({ index: 'date', p: 'date', values: [range('sa', '2019-12-01T00:00:00Z', '2019-12-02T00:00:00Z')] })).toEqual(['a', 'b']);
  });

  it('number precision and quantity units, canonical and as written', async () => {
    const n = (op: NumberOp, v: number, lo: number, hi: number) => ({ index: 'num' as const, p: 'n', values: [{ op, v, lo, hi }] });
    expect(await ids(n('eq', 100, 99.5, 100.5))).toEqual(['b']);
    expect(await ids(n('eq', 100.0, 99.95, 100.05))).toEqual(['b']);
    expect(await ids(n('eq', 101, 100.5, 101.5))).toEqual([]);
    expect(await ids(n('gt', 99, 98.5, 99.5))).toEqual(['b']);
    expect(await ids(n('lt', 100, 99.5, 100.5))).toEqual([]);
    expect(await ids(n('ap', 95, 94.5, 95.5))).toEqual(['b']);
    const grams = { index: 'qty' as const, p: 'value', values: [{ op: 'eq' as const, v: 0.0054, lo: 0.00535, hi: 0.00545, c: 'g', canonical: true }] };
    expect(await ids(grams)).toEqual(['a']);
    expect(await ids({ index: 'qty', p: 'value', values: [{ op: 'gt', v: 5, lo: 4.5, hi: 5.5, s: 'http://unitsofmeasure.org', c: 'mg' }] })).toEqual(['a']);
    expect(await ids({ index: 'qty', p: 'value', values: [{ op: 'gt', v: 5, lo: 4.5, hi: 5.5, c: 'mg' }] })).toEqual(['a']);
    expect(await ids({ index: 'qty', p: 'value', values: [{ op: 'gt', v: 5, lo: 4.5, hi: 5.5, c: 'kg' }] })).toEqual([]);
  });

  it('number and quantity Ranges as ranges: gt when part lies above, eq when the precision range holds it all', async () => {
    const r = (op: NumberOp, v: number, lo = v - 0.5, hi = v + 0.5) => ({ index: 'num' as const, p: 'range', values: [{ op, v, lo, hi }] });
    expect(await ids(r('gt', 10))).toEqual(['c']);
    expect(await ids(r('gt', 18))).toEqual([]);
    expect(await ids(r('lt', 5))).toEqual(['c']);
    expect(await ids(r('ge', 18))).toEqual(['c']);
    expect(await ids(r('le', 2))).toEqual([]);
    expect(await ids(r('sa', 2))).toEqual(['c']);
    expect(await ids(r('eb', 20))).toEqual(['c']);
    expect(await ids(r('eq', 10))).toEqual([]);
    expect(await ids(r('eq', 10, 0, 20))).toEqual(['c']);
    expect(await ids(r('ne', 10))).toEqual(['c']);
    expect(await ids(r('ap', 19))).toEqual(['c']);
    const years = (op: NumberOp, v: number) => ({ index: 'qty' as const, p: 'age', values: [{ op, v, lo: v - 0.5, hi: v + 0.5, s: 'http://unitsofmeasure.org', c: 'a' }] });
    expect(await ids(years('gt', 20))).toEqual(['c']);
    expect(await ids(years('lt', 10))).toEqual([]);
    const seconds = { index: 'qty' as const, p: 'age', values: [{ op: 'gt' as const, v: 1e9, lo: 1e9, hi: 1e9, c: 's', canonical: true }] };
    expect(await ids(seconds)).toEqual(['c']);
  });

  it('uri equality, :below and :above', async () => {
    expect(await ids({ index: 'uri', p: 'url', match: 'eq', values: ['http://example.org/fhir/ValueSet/a'] })).toEqual(['a']);
    expect(await ids({ index: 'uri', p: 'url', match: 'below', values: ['http://example.org/fhir'] })).toEqual(['a']);
    expect(await ids({ index: 'uri', p: 'url', match: 'above', values: ['http://example.org/fhir/ValueSet/a/_history/2'] })).toEqual(['a']);
    expect(await ids({ index: 'uri', p: 'url', match: 'above', values: ['http://example.org/other'] })).toEqual([]);
  });

  it('composite: both components on the same entry', async () => {
    const combo = (code: string, op: NumberOp, v: number) => ({
      index: 'comp' as const,
      p: 'code-value',
      values: [[{ index: 'tok' as const, value: { s: 'http://loinc.org', c: code } }, { index: 'qty' as const, value: { op, v, lo: v, hi: v, s: 'http://unitsofmeasure.org', c: 'mg' } }]],
    });
    expect(await ids(combo('1234-5', 'gt', 5))).toEqual(['a']);
    expect(await ids(combo('1234-5', 'lt', 5))).toEqual([]);
    expect(await ids(combo('9999-9', 'gt', 5))).toEqual([]);
  });

  it('_id and _lastUpdated; AND across criteria; deleted resources never match', async () => {
    expect(await ids({ index: 'id', ids: ['a', 'c', 'gone'] })).toEqual(['a', 'c']);
    expect(await ids({ index: 'id', ids: ['a'], not: true })).toEqual(['b', 'c']);
    expect(await ids({ index: 'any', of: [{ index: 'id', ids: ['c'] }, { index: 'ref', p: 'subject', values: [{ r: 'Group/7' }] }] })).toEqual(['b', 'c']);
    expect(await ids({ index: 'any', of: [] })).toEqual([]);
    expect(await ids({ index: 'lastUpdated', values: [range('ge', '2024-06-01T10:00:00.000Z', '2024-06-01T10:00:00.001Z')] })).toEqual(['b', 'c']);
    expect(await ids({ index: 'lastUpdated', values: [range('lt', '2024-06-01T10:00:00.000Z', '2024-06-01T10:00:00.001Z')] })).toEqual(['a']);
    expect(await ids({ index: 'lastUpdated', values: [range('eq', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')] })).toEqual(['a']);
    expect(
      await ids({ index: 'tok', p: 'code', values: [{ c: '1234-5' }] }, { index: 'str', p: 'family', match: 'prefix', values: ['smith'] }),
    ).toEqual(['b']);
  });
}

type NumberOp = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
