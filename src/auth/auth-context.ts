/** Who is calling: built from a verified access token, passed down with every FHIR request. */
import type { ResourceScope } from './scopes';

/** The clinic and registry roles (DESIGN.md §8). */
/** `applicant`: a self-registered health professional applying for a license (issue 7), linked to its own Practitioner. */
export const ROLES = ['admin', 'registry-admin', 'doctor', 'nurse', 'pharmacist', 'clerk', 'patient', 'applicant'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export interface AuthContext {
  /** The token's `sub`: a user account id, or a client id for SMART Backend Services. */
  subject: string;
  /** A person signed in (user), or a system acting for itself (client_credentials). */
  kind: 'user' | 'client';
  /** The account's role; absent for backend clients, whose access is their system/ scopes. */
  role?: Role;
  clientId: string;
  /** Every scope granted, as written. */
  scopes: readonly string[];
  /** The resource scopes among them. */
  resourceScopes: readonly ResourceScope[];
  /** The FHIR identity of the user: `Patient/123`, `Practitioner/456` or `RelatedPerson/789`. */
  fhirUser?: string;
  /** Launch context: the patient the app was launched for (`launch/patient`). */
  patient?: string;
  /** The token id (`jti`), for revocation and audit. */
  tokenId: string;
  /** When the token expires (epoch seconds). */
  expiresAt: number;
}
