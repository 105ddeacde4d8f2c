/**
 * The terminology core without a server: hierarchy walking (cycles, case rules), the set algebra
 * of compose (union, intersection, exclusion from whole systems) and the refusals.
 */
import type { CodeSystem, Resource, ValueSet } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import type { Criterion } from '../../../src/store/search-criteria';
import { CodeSystemIndex } from '../../../src/terminology/code-system-index';
import { createTerminology } from '../../../src/terminology/terminology';

/** Resources "stored" by canonical URL; the resolver asks for them with a uri criterion. */
function source(resources: Resource[]) {
  return {
    async readCurrent(type: string, criteria: Criterion[]): Promise<Resource[]> {
      const url = criteria[0] && 'values' in criteria[0] ? (criteria[0].values as string[])[0] : undefined;
      return resources.filter((r) => r.resourceType === type && (r as { url?: string }).url === url);
    },
  };
}

const cs = (url: string, concept: CodeSystem['concept'], extra: Partial<CodeSystem> = {}): CodeSystem => ({ resourceType: 'CodeSystem', url, status: 'active', content: 'complete', concept, ...extra });
const vs = (url: string, compose: ValueSet['compose']): ValueSet => ({ resourceType: 'ValueSet', url, status: 'active', compose });

describe('CodeSystemIndex', () => {
  it('survives parent cycles and answers subsumption both ways', () => {
    const index = new CodeSystemIndex(
      cs('urn:cs', [
        { code: 'a', concept: [{ code: 'b' }] },
        { code: 'c', property: [{ code: 'parent', valueCode: 'b' }, { code: 'child', valueCode: 'a' }] },
      ]),
    );
    expect(index.descendants('a').sort()).toEqual(['a', 'b', 'c']);
    expect(index.ancestors('a').sort()).toEqual(['a', 'b', 'c']);
    expect(index.subsumes('a', 'c')).toBe(true);
    expect(index.descendants('zz')).toEqual([]);
  });

  it('folds case only for case-insensitive systems', () => {
    expect(new CodeSystemIndex(cs('urn:cs', [{ code: 'Abc' }])).get('abc')).toBeUndefined();
    expect(new CodeSystemIndex(cs('urn:cs', [{ code: 'Abc' }], { caseSensitive: false })).get('abc')?.code).toBe('Abc');
  });
});

describe('ValueSetExpander', () => {
  const letters = cs('urn:letters', [{ code: 'a', concept: [{ code: 'b' }, { code: 'c' }] }, { code: 'd' }]);
  const partial = cs('urn:partial', [{ code: 'x' }], { content: 'fragment' });
  const stored = [
    letters,
    partial,
    vs('urn:vs:ab', { include: [{ system: 'urn:letters', concept: [{ code: 'a' }, { code: 'b' }] }] }),
    vs('urn:vs:below-a', { include: [{ system: 'urn:letters', filter: [{ property: 'concept', op: 'is-a', value: 'a' }] }] }),
    vs('urn:vs:both', { include: [{ valueSet: ['urn:vs:ab', 'urn:vs:below-a'] }] }),
    vs('urn:vs:letters-but-b', { include: [{ system: 'urn:letters' }], exclude: [{ system: 'urn:letters', concept: [{ code: 'b' }] }] }),
    vs('urn:vs:partial-but-x', { include: [{ system: 'urn:partial' }], exclude: [{ system: 'urn:partial', concept: [{ code: 'x' }] }] }),
    vs('urn:vs:loop', { include: [{ valueSet: ['urn:vs:loop'] }] }),
    vs('urn:vs:snomed', { include: [{ system: 'http://snomed.info/sct' }, { system: 'urn:letters', concept: [{ code: 'd' }] }] }),
  ];
  const { expander } = createTerminology(source(stored));
  const list = async (url: string) => (await expander.enumerate(await expander.expandCanonical(url))).map((c) => c.code).sort();

  it('intersects the value sets of one include and subtracts exclusions from whole systems', async () => {
    expect(await list('urn:vs:both')).toEqual(['a', 'b']);
    expect(await list('urn:vs:letters-but-b')).toEqual(['a', 'c', 'd']);
  });

  it('keeps systems it cannot enumerate symbolic until asked to list them', async () => {
    const set = await expander.expandCanonical('urn:vs:snomed');
    expect([...set.wholeSystems.keys()]).toEqual(['http://snomed.info/sct']);
    expect([...set.concepts.values()].map((c) => c.code)).toEqual(['d']);
    await expect(expander.enumerate(set)).rejects.toMatchObject({ status: 400 });
  });

  it('refuses cycles, unknown value sets and exclusions from partial systems', async () => {
    await expect(expander.expandCanonical('urn:vs:loop')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/cycle/) });
    await expect(expander.expandCanonical('urn:vs:nope')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/not known/) });
    await expect(expander.expandCanonical('urn:vs:partial-but-x')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/not loaded .* in full/) });
  });

  it('falls back to the R4 core definitions', async () => {
    expect(await list('http://hl7.org/fhir/ValueSet/administrative-gender')).toEqual(['female', 'male', 'other', 'unknown']);
  });
});
