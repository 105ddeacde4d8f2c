/**
 * SMART discovery: `/.well-known/smart-configuration` (SMART App Launch 2.0 §Conformance),
 * served at the server root and under the FHIR base URL (where SMART clients look for it).
 */
import { ASSERTION_ALGORITHMS } from './client-keys';

export interface SmartEndpoints {
  /** The FHIR base URL: `iss` and `aud` of our tokens. */
  issuer: string;
  /** What the OAuth paths hang from: the base URL without its `/fhir`, or its origin. */
  root: string;
  authorize: string;
  token: string;
  revoke: string;
  introspect: string;
  jwks: string;
}

export function smartEndpoints(baseUrl: string): SmartEndpoints {
  const issuer = baseUrl.replace(/\/+$/, '');
  const root = issuer.endsWith('/fhir') ? issuer.slice(0, -'/fhir'.length) : new URL(issuer).origin;
  return {
    issuer,
    root,
    authorize: `${root}/oauth2/authorize`,
    token: `${root}/oauth2/token`,
    revoke: `${root}/oauth2/revoke`,
    introspect: `${root}/oauth2/introspect`,
    jwks: `${root}/.well-known/jwks.json`,
  };
}

export const CAPABILITIES = [
  'launch-ehr',
  'launch-standalone',
  'authorize-post',
  'client-public',
  'client-confidential-symmetric',
  'client-confidential-asymmetric',
  'context-ehr-patient',
  'context-ehr-encounter',
  'context-standalone-patient',
  'context-banner',
  'permission-offline',
  'permission-online',
  'permission-patient',
  'permission-user',
  'permission-v1',
  'permission-v2',
  'sso-openid-connect',
] as const;

export function smartConfiguration(endpoints: SmartEndpoints): Record<string, unknown> {
  return {
    issuer: endpoints.issuer,
    jwks_uri: endpoints.jwks,
    authorization_endpoint: endpoints.authorize,
    token_endpoint: endpoints.token,
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic'],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    scopes_supported: [
      'openid',
      'fhirUser',
      'launch',
      'launch/patient',
      'launch/encounter',
      'offline_access',
      'online_access',
      'patient/*.cruds',
      'patient/*.rs',
      'user/*.cruds',
      'user/*.rs',
      'system/*.cruds',
      'system/*.rs',
      'patient/*.read',
      'patient/*.write',
      'user/*.read',
      'user/*.write',
      'system/*.read',
      'system/*.write',
    ],
    response_types_supported: ['code'],
    id_token_signing_alg_values_supported: ['RS256'],
    introspection_endpoint: endpoints.introspect,
    revocation_endpoint: endpoints.revoke,
    code_challenge_methods_supported: ['S256'],
    capabilities: [...CAPABILITIES],
  };
}
