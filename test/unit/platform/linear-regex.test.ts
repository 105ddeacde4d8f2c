/**
 * User patterns cannot stall the event loop: catastrophic patterns finish (a hang would time the
 * test out), and what the linear engine cannot run is refused.
 */
import { describe, expect, it } from 'vitest';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { LINEAR_REGEX_FUNCTIONS } from '../../../src/fhir/fhirpath-regex';
import { UnsafePatternError, linearRegex } from '../../../src/platform/linear-regex';

const ATTACK = `${'a'.repeat(40)}!`;
const evaluate = (expression: string) => fhirpath.evaluate({ resourceType: 'Patient' }, expression, {}, r4, { userInvocationTable: LINEAR_REGEX_FUNCTIONS });

describe('linearRegex', () => {
  it('runs catastrophic patterns to the end', () => {
    expect(linearRegex('^(a+)+$', 's').test(ATTACK)).toBe(false);
    expect(linearRegex('^(?:(.|.|.|.|.|.|.|.|.|.|.|.|.|.|.|.|.|.|.|.)*ZZZ)$').test('abcdefghijklmnopqrstuvwxyz')).toBe(false);
    expect(ATTACK.replace(linearRegex('(a|aa)+$', 'g'), 'x')).toBe(ATTACK);
    expect(linearRegex('^(a+)+$', 'sm').test('aaa')).toBe(true);
  });

  it('refuses backreferences, lookaround and the i and u flags', () => {
    for (const pattern of ['(a)\\1', '(?<x>a)\\k<x>', 'a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b']) {
      expect(() => linearRegex(pattern), pattern).toThrow(UnsafePatternError);
    }
    expect(() => linearRegex('a', 'i')).toThrow(UnsafePatternError);
    expect(() => linearRegex('a', 'u')).toThrow(UnsafePatternError);
  });

  it('leaves escaped look-alikes and groups alone', () => {
    expect(linearRegex('\\\\1').test('\\1')).toBe(true);
    expect(linearRegex('\\(?=').test('(=')).toBe(true);
    expect(linearRegex('(?:ab)+').test('abab')).toBe(true);
    expect(linearRegex('(?<name>a)').test('a')).toBe(true);
    expect(() => linearRegex('(')).toThrow(SyntaxError);
  });
});

describe('FHIRPath regex functions', () => {
  it('agree with fhirpath.js on ordinary patterns', () => {
    for (const expression of [
      "'abc'.matches('b')",
      "'abc'.matches('^b')",
      "'a\nb'.matches('a.b')",
      "'abc'.matchesFull('b')",
      "'abc'.matchesFull('a.c')",
      "'a-b-c'.replaceMatches('-', '+')",
      "'2020-01-02'.replaceMatches('(\\\\d+)-(\\\\d+)-(\\\\d+)', '$3/$2/$1')",
      "{}.matches('a')",
      "'abc'.matches({})",
    ]) {
      expect(evaluate(expression), expression).toEqual(fhirpath.evaluate({ resourceType: 'Patient' }, expression, {}, r4));
    }
  });

  it('finish on catastrophic patterns and refuse backreferences', () => {
    expect(evaluate(`'${ATTACK}'.matches('^(a+)+$')`)).toEqual([false]);
    expect(evaluate(`'${ATTACK}'.matchesFull('(a|aa)+')`)).toEqual([false]);
    expect(evaluate(`'${ATTACK}'.replaceMatches('(a+)+$', 'x')`)).toEqual([ATTACK]);
    expect(() => evaluate("'aa'.matches('(a)\\\\1')")).toThrow(/backreference/);
    expect(() => evaluate("'AA'.matches('a', 'i')")).toThrow(/not supported/);
  });
});
