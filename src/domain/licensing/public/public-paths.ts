/**
 * Where the public registry's operations live below the FHIR base (segments joined by '/'): the
 * one list that both the anonymous-access rule (src/auth/public-routes.ts) and the open CORS +
 * rate limit (src/web/registry/public-access.ts) read, so they cannot drift apart.
 */
export const PUBLIC_REGISTRY_PATHS: ReadonlySet<string> = new Set(['Practitioner/$verify-license', 'Practitioner/$registry-search', '$registry-statistics']);
