/** Which requests are the public registry's: only its three operations, only reading methods and POST. */
import { describe, expect, it } from 'vitest';
import { isPublicRequest } from '../../../../../src/auth/public-routes';
import { isPublicRegistryOperationPath } from '../../../../../src/web/registry/public-access';

describe('public registry paths', () => {
  it.each([
    ['/Practitioner/$verify-license', true],
    ['/Practitioner/%24verify-license', true],
    ['/Practitioner/$registry-search/', true],
    ['/$registry-statistics', true],
    ['/Practitioner/123/$verify-license', false],
    ['/Patient/$verify-license', false],
    ['/Practitioner/$registry-statistics', false],
    ['/Practitioner', false],
    ['/%E0%A4%A', false],
  ])('%s → %s (CORS * and the registry rate limit)', (path, expected) => {
    expect(isPublicRegistryOperationPath(path)).toBe(expected);
  });

  it('answer anonymous GET, HEAD and POST only', () => {
    const req = (method: string, path: string) => ({ method, segments: path.split('/').filter(Boolean) });
    for (const method of ['GET', 'HEAD', 'POST']) {
      expect(isPublicRequest(req(method, 'Practitioner/$verify-license'))).toBe(true);
      expect(isPublicRequest(req(method, 'Practitioner/$registry-search'))).toBe(true);
      expect(isPublicRequest(req(method, '$registry-statistics'))).toBe(true);
    }
    for (const method of ['PUT', 'DELETE', 'PATCH']) expect(isPublicRequest(req(method, 'Practitioner/$verify-license'))).toBe(false);
    expect(isPublicRequest(req('GET', 'Practitioner'))).toBe(false);
    expect(isPublicRequest(req('GET', 'Practitioner/abc'))).toBe(false);
    expect(isPublicRequest(req('GET', 'Practitioner/abc/$verify-license'))).toBe(false);
    expect(isPublicRequest(req('POST', 'Practitioner/$suspend-license'))).toBe(false);
  });
});
