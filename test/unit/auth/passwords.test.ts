import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, randomPassword, verifyPassword } from '../../../src/auth/accounts/passwords';

describe('passwords', () => {
  it('hashes with scrypt and a random salt, and verifies', async () => {
    const a = await hashPassword('Correct-Horse-9');
    const b = await hashPassword('Correct-Horse-9');
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('Correct-Horse-9', a)).toBe(true);
    expect(await verifyPassword('Correct-Horse-8', a)).toBe(false);
    expect(await verifyPassword('Correct-Horse-9', 'plain')).toBe(false);
    expect(await verifyPassword('Correct-Horse-9', a.replace('$15$', '$40$'))).toBe(false);
  });

  it('has a short, documented policy', () => {
    expect(passwordProblem('Short-1')).toMatch(/at least 10/);
    expect(passwordProblem('onlylowercaseletters')).toMatch(/two of/);
    expect(passwordProblem('1234567890')).toMatch(/two of/);
    expect(passwordProblem('x'.repeat(257) + 'A')).toMatch(/at most 256/);
    expect(passwordProblem('ada@example.org', 'ADA@example.org')).toMatch(/email/);
    expect(passwordProblem('correct horse battery')).toBeUndefined();
    expect(passwordProblem('Correct-Horse-9')).toBeUndefined();
    for (let i = 0; i < 20; i++) expect(passwordProblem(randomPassword())).toBeUndefined();
  });
});
