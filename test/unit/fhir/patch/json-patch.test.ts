/** JSON Patch without HTTP: the 16 official cases on the applier, and the document checks (400s). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FhirError } from '../../../../src/fhir/outcomes';
import { applyJsonPatch, parseJsonPatch } from '../../../../src/fhir/patch/json-patch';

const CASES = fileURLToPath(new URL('../../../../../shared/data/fhir-test-cases/r4/patch/json-patch-tests.json', import.meta.url));
const cases = JSON.parse(readFileSync(CASES, 'utf8')) as Array<{ comment: string; doc: unknown; patch: unknown[]; expected?: unknown; error?: string }>;

function failure(run: () => unknown): FhirError {
  try {
    run();
  } catch (err) {
    return err as FhirError;
  }
  throw new Error('expected a failure');
}

const parse = (value: unknown) => parseJsonPatch(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

describe('applyJsonPatch on the official cases', () => {
  it.each(cases.map((c) => [c.comment, c] as const))('%s', (_comment, c) => {
    const operations = parse(c.patch);
    const doc = structuredClone(c.doc);
    if (c.error !== undefined) {
      const err = failure(() => applyJsonPatch(doc, operations));
      expect(err.status).toBe(422);
      expect(err.outcome.issue[0]?.code).toBe('processing');
    } else {
      expect(applyJsonPatch(doc, operations)).toEqual(c.expected);
    }
  });
});

describe('applyJsonPatch', () => {
  it('replaces the whole document at the root pointer', () => {
    expect(applyJsonPatch({ a: 1 }, parse([{ op: 'replace', path: '', value: { b: 2 } }]))).toEqual({ b: 2 });
  });

  it('turns a member added to a primitive into a 422, not a crash', () => {
    expect(failure(() => applyJsonPatch({ a: 'x' }, parse([{ op: 'add', path: '/a/b', value: 1 }]))).status).toBe(422);
  });

  it('names the failing operation', () => {
    const err = failure(() => applyJsonPatch({ a: 1 }, parse([{ op: 'test', path: '/a', value: 1 }, { op: 'remove', path: '/b' }])));
    expect(err.message).toMatch(/^Operation 2 \(remove '\/b'\)/);
  });
});

describe('parseJsonPatch', () => {
  it.each([
    ['no body', ''],
    ['invalid JSON', '[{'],
    ['an object, not an array', { op: 'add', path: '/a', value: 1 }],
    ['an operation that is not an object', [1]],
    ['an unknown op', [{ op: 'merge', path: '/a' }]],
    ['a missing path', [{ op: 'remove' }]],
    ['a path that is not a pointer', [{ op: 'remove', path: 'a' }]],
    ['a bad escape', [{ op: 'remove', path: '/a~2' }]],
    ['add without value', [{ op: 'add', path: '/a' }]],
    ['test without value', [{ op: 'test', path: '/a' }]],
    ['move without from', [{ op: 'move', path: '/a' }]],
    ['copy with a bad from', [{ op: 'copy', from: 'x', path: '/a' }]],
    ['removing the root', [{ op: 'remove', path: '' }]],
    ['a __proto__ pointer', [{ op: 'add', path: '/__proto__/x', value: 1 }]],
  ])('refuses %s with 400', (_what, document) => {
    const err = failure(() => (document === '' ? parseJsonPatch(Buffer.alloc(0)) : parse(document)));
    expect(err.status).toBe(400);
    expect(err.outcome.issue[0]?.code).toBe('invalid');
  });

  it('accepts value: null and ignores unknown members (RFC 6902 §4)', () => {
    expect(parse([{ op: 'add', path: '/a', value: null, extra: true }])).toHaveLength(1);
  });
});
