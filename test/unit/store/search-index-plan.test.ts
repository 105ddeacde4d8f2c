/**
 * Indexes for real MongoDB, checked on paper (no engine here uses secondary indexes): every
 * query shape the search compiler emits has its leading predicate on a declared index, or is a
 * listed exception with its reason. A shape is served when it is an `$elemMatch` on an index
 * entry array whose index starts with `<array>.p` (the parameter code is always an equality
 * inside the `$elemMatch`), an `_id` or `ts` test, an `$or` whose branches are all served, or an
 * `$and` with at least one served part.
 */
import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { compileContainedCriteria, compileCriteria, compileCriterion } from '../../../src/store/mongo/compile-query';
import { CONTAINED_INDEXES, CURRENT_INDEXES } from '../../../src/store/mongo/indexes';
import type { Comparator, Criterion } from '../../../src/store/search-criteria';

const leadingKeys = new Set(['_id', ...CURRENT_INDEXES.map((index) => Object.keys(index.key)[0]!)]);
/** In the contained collection every search has the type `t` as an equality: the key after `t` is what seeks. */
const afterTypeKeys = new Set(CONTAINED_INDEXES.flatMap((index) => (Object.keys(index.key)[0] === 't' ? [Object.keys(index.key)[1]!] : [])));

function served(filter: Document, leading: Set<string> = leadingKeys): boolean {
  const entries = Object.entries(filter);
  if (entries.length === 0) return false;
  return entries.some(([key, value]) => {
    if (key === '$or') return (value as Document[]).every((part) => served(part, leading));
    if (key === '$and') return (value as Document[]).some((part) => served(part, leading));
    if (key.startsWith('$')) return false; // $nor, $not: negations cannot seek
    if (value && typeof value === 'object' && '$elemMatch' in value) {
      const match = (value as { $elemMatch: Document }).$elemMatch;
      return leading.has(`${key}.p`) && typeof match.p === 'string';
    }
    const negated = value && typeof value === 'object' && ['$nin', '$ne', '$not'].some((op) => op in value);
    return leading.has(key) && !negated;
  });
}

const day = { lo: new Date('2020-01-01'), hi: new Date('2020-01-02') };
const PREFIXES: Comparator[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];

/** Every kind of criterion the parser produces (src/fhir/search/parse-value.ts). */
const CATALOGUE: Array<[string, Criterion]> = [
  ['string prefix', { index: 'str', p: 'name', match: 'prefix', values: ['smi', 'jo'] }],
  ['string exact', { index: 'str', p: 'name', match: 'exact', values: ['Smith'] }],
  ['token system|code', { index: 'tok', p: 'code', values: [{ s: 'http://loinc.org', c: '1' }, { c: '2' }, { s: null, c: '3' }, { s: 'x' }] }],
  ['token :text', { index: 'tok', p: 'code', text: ['blood'] }],
  ['reference', { index: 'ref', p: 'subject', values: [{ r: 'Patient/1' }, { ty: 'Group' }, { r: 'http://x/ValueSet/a', v: '1' }] }],
  ...PREFIXES.map((op): [string, Criterion] => [`date ${op}`, { index: 'date', p: 'date', values: [{ op, ...day }] }]),
  ...PREFIXES.map((op): [string, Criterion] => [`number ${op}`, { index: 'num', p: 'probability', values: [{ op, v: 1, lo: 0.95, hi: 1.05 }] }]),
  ['quantity canonical', { index: 'qty', p: 'value-quantity', values: [{ op: 'gt', v: 1, lo: 0.5, hi: 1.5, c: 'g', canonical: true }] }],
  ['quantity system|code', { index: 'qty', p: 'value-quantity', values: [{ op: 'eq', v: 1, lo: 0.5, hi: 1.5, s: 'http://unitsofmeasure.org', c: 'mg' }] }],
  ['quantity unit only', { index: 'qty', p: 'value-quantity', values: [{ op: 'le', v: 1, lo: 0.5, hi: 1.5, c: 'mg' }] }],
  ['uri', { index: 'uri', p: 'url', match: 'eq', values: ['http://x/a'] }],
  ['uri :above', { index: 'uri', p: 'url', match: 'above', values: ['http://x/a/b'] }],
  ['uri :below', { index: 'uri', p: 'url', match: 'below', values: ['http://x/a'] }],
  ['composite', { index: 'comp', p: 'code-value-quantity', values: [[{ index: 'tok', value: { c: '1' } }, { index: 'qty', value: { op: 'gt', v: 1, lo: 1, hi: 1 } }]] }],
  ['missing=false', { index: 'tok', p: 'gender', missing: false }],
  ['_id', { index: 'id', ids: ['a', 'b'] }],
  ['_lastUpdated', { index: 'lastUpdated', values: PREFIXES.map((op) => ({ op, ...day })) }],
  ['compartment', { index: 'any', of: [{ index: 'ref', p: 'subject', values: [{ r: 'Patient/1' }] }, { index: 'ref', p: 'performer', values: [{ r: 'Patient/1' }] }] }],
];

/**
 * Shapes that cannot seek on their own, and why that is acceptable: they test for the absence of
 * a value, so no index entry exists to find. Combined with any other criterion, that criterion
 * leads; alone, they scan the type's collection (documented in ARCHITECTURE.md).
 */
const EXCEPTIONS: Array<[string, Criterion]> = [
  ['missing=true', { index: 'tok', p: 'gender', missing: true }],
  ['token :not', { index: 'tok', p: 'gender', values: [{ c: 'male' }], not: true }],
  ['_id :not', { index: 'id', ids: ['a'], not: true }],
  // Access narrowing for registry officers: records about no patient (src/fhir/access-guard.ts).
  ['about no patient', { index: 'any', not: true, of: [{ index: 'ref', p: 'subject', values: [{ ty: 'Patient' }] }] }],
];

describe('search query plans', () => {
  it.each(CATALOGUE)('%s leads with an indexed predicate', (_name, criterion) => {
    expect(served(compileCriterion(criterion))).toBe(true);
  });

  it.each(EXCEPTIONS)('%s is a listed exception, served once any other criterion is added', (_name, criterion) => {
    expect(served(compileCriterion(criterion))).toBe(false);
    const withOther = compileCriteria([criterion, { index: 'tok', p: 'code', values: [{ c: '1' }] }]);
    expect(served(withOther)).toBe(true);
  });

  it(':contains leads with the parameter code (the scan stays within one parameter’s entries)', () => {
    const filter = compileCriterion({ index: 'str', p: 'name', match: 'contains', values: ['mit'] });
    expect(served(filter)).toBe(true);
    expect(JSON.stringify(filter)).toContain('"p":"name"');
  });

  it('stays within MongoDB’s 64 indexes per collection', () => {
    expect(CURRENT_INDEXES.length + 1).toBeLessThanOrEqual(64);
  });
});

describe('contained search query plans', () => {
  // `_id` and `_lastUpdated` are refused with _contained (src/fhir/search/contained.ts).
  const containedCatalogue = CATALOGUE.filter(([, criterion]) => criterion.index !== 'id' && criterion.index !== 'lastUpdated');

  it.each(containedCatalogue)('%s seeks on an index led by the contained type', (_name, criterion) => {
    const [typeTest, ...criteria] = compileContainedCriteria('Medication', [criterion]).$and as Document[];
    expect(typeTest).toEqual({ t: 'Medication' });
    expect(criteria.every((part) => served(part, afterTypeKeys))).toBe(true);
  });

  it('serves a search with no criterion, in page order, and the replacement of a container’s entries', () => {
    expect(CONTAINED_INDEXES.map((index) => index.key)).toContainEqual({ t: 1, _id: 1 });
    expect(CONTAINED_INDEXES.map((index) => Object.keys(index.key)[0])).toContain('c');
  });

  it('stays within MongoDB’s 64 indexes per collection', () => {
    expect(CONTAINED_INDEXES.length + 1).toBeLessThanOrEqual(64);
  });
});
