/**
 * Reads send the stored text with the version spliced in (documents.ts versionedJson) and parse
 * it only when something needs the object (version-text.ts): the text must always be exactly
 * what serialising the parsed, materialised resource gives, or not be used at all.
 */
import { describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { fromCurrent, materialize, packBody, toStoredBody, versionedJson } from '../../../src/store/mongo/documents';
import type { CurrentDoc } from '../../../src/store/mongo/documents';
import { hasResource, unparsedJson } from '../../../src/store/version-text';

const ts = new Date('2026-11-25T10:11:12.345Z');

/** What a read answered before: the body parsed, materialised and serialised. */
const expected = (body: Record<string, unknown>, vid = 3) => JSON.stringify(materialize(body, vid, ts));

function doc(resource: Resource & { id: string }): CurrentDoc {
  return { _id: resource.id, vid: 3, ts, deleted: false, method: 'PUT', ...packBody(toStoredBody(resource)) };
}

describe('versionedJson', () => {
  const cases: Array<[string, Resource & { id: string }]> = [
    ['no meta', { resourceType: 'Patient', id: 'a', gender: 'female', name: [{ family: 'Ó Briain' }] }],
    ['meta with labels, given last', { resourceType: 'Patient', id: 'a.b-1', gender: 'male', meta: { tag: [{ code: 't' }], versionId: '9', lastUpdated: '2020-01-01T00:00:00Z' } }],
    ['only server-owned meta', { resourceType: 'Patient', id: 'a', meta: { versionId: '9' }, active: true }],
    ['nothing but type and id', { resourceType: 'Basic', id: 'x', code: { text: '"meta":' } } as Resource & { id: string }],
    ['contained with its own meta', { resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, contained: [{ resourceType: 'Patient', id: 'p', meta: { tag: [{ code: 'c' }] } }] }],
  ];
  for (const [name, resource] of cases) {
    it(`gives what the parsed resource serialises to, or nothing: ${name}`, () => {
      const stored = toStoredBody(resource);
      const text = packBody(stored).resource as string;
      const json = versionedJson(text, resource.resourceType, resource.id, 3, ts);
      if (json !== undefined) expect(json).toBe(expected(stored));
      else expect(text).toContain('"meta":'); // the only reason to refuse text toStoredBody wrote
    });
  }

  it('refuses text written in another order (before toStoredBody ordered bodies), or with an empty meta', () => {
    expect(versionedJson('{"id":"a","resourceType":"Patient"}', 'Patient', 'a', 1, ts)).toBeUndefined();
    expect(versionedJson('{"resourceType":"Patient","id":"a","gender":"male","meta":{"tag":[{"code":"t"}]}}', 'Patient', 'a', 1, ts)).toBeUndefined();
    expect(versionedJson('{"resourceType":"Patient","id":"a","meta":{}}', 'Patient', 'a', 1, ts)).toBeUndefined();
    expect(versionedJson('{"resourceType":"Patient","id":"ab"}', 'Patient', 'a', 1, ts)).toBeUndefined();
    expect(versionedJson('{"resourceType":"Patient","id":"a"}', 'Patient', 'a', 1, ts)).toBe(expected({ resourceType: 'Patient', id: 'a' }, 1));
  });
});

describe('a version read from its stored text', () => {
  it('parses its resource on first use, then forgets the text; copies carry none', () => {
    const resource = { resourceType: 'Patient', id: 'lazy', gender: 'female' } as Resource & { id: string };
    const version = fromCurrent('Patient', doc(resource));
    const text = unparsedJson(version);
    expect(text).toBe(expected(toStoredBody(resource)));
    expect(hasResource(version)).toBe(true);
    expect(unparsedJson(version)).toBe(text); // hasResource did not parse it

    const copy = { ...version };
    expect(unparsedJson(copy)).toBeUndefined();
    expect(copy.resource).toEqual(JSON.parse(text!));
    expect(unparsedJson(version)).toBeUndefined(); // the spread read it

    const other = fromCurrent('Patient', doc(resource));
    (other.resource as { gender?: string }).gender = 'male';
    expect(unparsedJson(other)).toBeUndefined();
    expect(other.resource).toMatchObject({ gender: 'male', meta: { versionId: '3' } });

    const replaced = fromCurrent('Patient', doc(resource));
    replaced.resource = { resourceType: 'Patient', id: 'lazy', active: true };
    expect(unparsedJson(replaced)).toBeUndefined();
    expect(replaced.resource).toEqual({ resourceType: 'Patient', id: 'lazy', active: true });
  });

  it('deletions have no resource; object bodies are parsed at once', () => {
    const deleted = fromCurrent('Patient', { ...doc({ resourceType: 'Patient', id: 'd' }), deleted: true });
    expect(hasResource(deleted)).toBe(false);
    const legacy = fromCurrent('Patient', { _id: 'o', vid: 1, ts, deleted: false, method: 'POST', resource: { resourceType: 'Patient', id: 'o' } });
    expect(unparsedJson(legacy)).toBeUndefined();
    expect(legacy.resource).toEqual({ resourceType: 'Patient', id: 'o', meta: { versionId: '1', lastUpdated: ts.toISOString() } });
  });
});
