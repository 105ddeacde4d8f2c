import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/platform/request-context';

describe('redactUrl', () => {
  it('keeps single-use tokens out of the access log', () => {
    expect(redactUrl('/auth/verify-email?token=abc_DEF-123')).toBe('/auth/verify-email?token=[redacted]');
    expect(redactUrl('/auth/set-password?x=1&token=abc&y=2')).toBe('/auth/set-password?x=1&token=[redacted]&y=2');
    expect(redactUrl('/fhir/Observation?code=1234-5&_count=2')).toBe('/fhir/Observation?code=1234-5&_count=2');
  });
});
