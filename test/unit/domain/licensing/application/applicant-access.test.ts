/** The role rules of the license workflow (auth/role-permissions.ts) through the pure access policy. */
import { describe, expect, it } from 'vitest';
import type { Access } from '../../../../../src/auth/access';
import { decide } from '../../../../../src/auth/access-policy';
import type { Role } from '../../../../../src/auth/auth-context';
import { roleRules } from '../../../../../src/auth/role-permissions';
import { resourceScopes } from '../../../../../src/auth/scopes';

const PATIENT_TYPES = new Set(['Patient', 'Observation', 'Task', 'DocumentReference']);
const rules = roleRules(PATIENT_TYPES);
const access = (role: Role, fhirUser?: string): Access => ({
  mode: 'token',
  auth: { subject: 's', kind: 'user', role, clientId: 'c', scopes: ['user/*.cruds'], resourceScopes: resourceScopes(['user/*.cruds']), tokenId: 't', expiresAt: 0, ...(fhirUser ? { fhirUser } : {}) },
});
const applicant = access('applicant', 'Practitioner/p1');
const officer = access('registry-admin');
const check = (who: Access, type: string, action: 'c' | 'r' | 'u' | 'd' | 's') => decide(who, type, action, PATIENT_TYPES.has(type), rules);

describe('applicant role', () => {
  it('reaches only its own Practitioner, applications and documents', () => {
    const self = { kind: 'self', practitioner: 'Practitioner/p1' };
    expect(check(applicant, 'Practitioner', 'r')).toEqual({ allowed: true, limits: [self] });
    expect(check(applicant, 'Task', 's')).toEqual({ allowed: true, limits: [self, { kind: 'not-patient' }] });
    expect(check(applicant, 'DocumentReference', 'c')).toEqual({ allowed: true, limits: [self, { kind: 'not-patient' }] });
    expect(check(applicant, 'Binary', 'c')).toEqual({ allowed: true, limits: [self] });
  });
  it('writes Tasks only as drafts and its Practitioner only while unlicensed', () => {
    expect(check(applicant, 'Task', 'u')).toMatchObject({ allowed: true, limits: [{ kind: 'self' }, { kind: 'not-patient' }, { kind: 'state', state: 'application-draft' }] });
    expect(check(applicant, 'Practitioner', 'u')).toMatchObject({ allowed: true, limits: [{ kind: 'self' }, { kind: 'state', state: 'unlicensed' }] });
  });
  it('may not touch patient data, change documents, delete, or act without its Practitioner', () => {
    for (const [type, action] of [['Patient', 'r'], ['Observation', 's'], ['DocumentReference', 'u'], ['Binary', 'u'], ['Binary', 'r'], ['Task', 'd'], ['Practitioner', 'c'], ['VerificationResult', 'r']] as const) {
      expect(check(applicant, type, action).allowed, `${type} ${action}`).toBe(false);
    }
    expect(check(access('applicant'), 'Task', 'r')).toEqual({ allowed: false, reason: 'the account is not linked to a Practitioner' });
    expect(check(applicant, 'CodeSystem', 'r')).toEqual({ allowed: true, limits: [] });
  });
});

describe('registry officers', () => {
  it('never write a license application in draft; other types are not limited by that', () => {
    expect(check(officer, 'Task', 'u')).toEqual({ allowed: true, limits: [{ kind: 'not-patient' }, { kind: 'state', state: 'application-not-draft' }] });
    expect(check(officer, 'Practitioner', 'u')).toEqual({ allowed: true, limits: [] });
    expect(check(officer, 'Task', 'r')).toEqual({ allowed: true, limits: [{ kind: 'not-patient' }] });
  });
});
