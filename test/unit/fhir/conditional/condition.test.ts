import { describe, expect, it } from 'vitest';
import { parseCondition, parseConditionHeader, tokenKey } from '../../../../src/fhir/conditional/condition';
import { identifierKeys } from '../../../../src/fhir/conditional/identifier-keys';

describe('conditions', () => {
  it('maps token forms to the keys identifiers are stored under', () => {
    expect(tokenKey('http://x|1')).toBe('http://x|1');
    expect(tokenKey('1')).toBe('*|1');
    expect(tokenKey('|1')).toBe('|1');
    expect(tokenKey('http://x|')).toBe('http://x|*');
    const keys = identifierKeys({ identifier: [{ system: 'http://x', value: '1' }, { value: '2' }] });
    for (const token of ['http://x|1', '1', 'http://x|', '|2', '2']) expect(keys).toContain(tokenKey(token));
    expect(keys).not.toContain(tokenKey('|1'));
  });

  it('parses OR (comma, with \\, escapes) and AND (repeats) and gives equal conditions one key', () => {
    const condition = parseCondition({ identifier: ['a,b\\,c', 'http://x|d'], _format: ['json'] });
    expect(condition.identifiers).toEqual([['*|a', '*|b,c'], ['http://x|d']]);
    expect(parseConditionHeader('identifier=http://x|d&identifier=a,b\\,c').key).toBe(condition.key);
    expect(parseConditionHeader('?_id=1,2').ids).toEqual([['1', '2']]);
  });

  it('refuses unsupported, empty and missing criteria', () => {
    expect(() => parseCondition({ name: ['x'] })).toThrow(/only _id and identifier/);
    expect(() => parseCondition({ identifier: ['a,'] })).toThrow(/Empty value/);
    expect(() => parseCondition({ _format: ['json'] })).toThrow(/at least one/);
  });
});
