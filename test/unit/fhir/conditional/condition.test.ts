import { describe, expect, it } from 'vitest';
import { parseCondition, parseConditionHeader } from '../../../../src/fhir/conditional/condition';

describe('conditions', () => {
  it('keeps the criteria, drops result parameters, and gives equal conditions one key', () => {
    const condition = parseCondition({ identifier: ['a,b\\,c', 'http://x|d'], _format: ['json'] });
    expect(condition.query).toEqual({ identifier: ['a,b\\,c', 'http://x|d'] });
    expect(parseConditionHeader('identifier=http://x|d&identifier=a,b\\,c').key).toBe(condition.key);
    expect(parseConditionHeader('?_id=1,2').query).toEqual({ _id: ['1,2'] });
  });

  it('refuses a condition without criteria', () => {
    expect(() => parseCondition({ _format: ['json'] })).toThrow(/at least one/);
    expect(() => parseConditionHeader('')).toThrow(/at least one/);
  });
});
