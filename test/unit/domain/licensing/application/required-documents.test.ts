import { describe, expect, it } from 'vitest';
import type { ApplicationDocument } from '../../../../../src/domain/licensing/application/required-documents';
import { approvalProblems, describeProblem, requiredDocuments, submissionProblems } from '../../../../../src/domain/licensing/application/required-documents';

const BASE = ['passport-or-national-id', 'primary-degree', 'transcript', 'cv', 'passport-photo', 'proof-of-address'];
const TODAY = '2026-11-25';
let n = 0;
const doc = (type: string, extra: Partial<ApplicationDocument> = {}): ApplicationDocument => ({ reference: `DocumentReference/d${++n}`, type, ...extra });
const complete = (type: string) => requiredDocuments(type).flatMap((r) => Array.from({ length: r.count }, () => doc(r.type)));

describe('requiredDocuments', () => {
  it('asks every type for the six base documents', () => {
    expect(requiredDocuments('physiotherapist')).toEqual(BASE.map((type) => ({ type, count: 1 })));
  });
  it('adds the council documents per profession (two reference letters for doctors)', () => {
    const extra = (type: string) => requiredDocuments(type).slice(BASE.length);
    expect(extra('doctor')).toEqual([
      { type: 'council-registration', count: 1 },
      { type: 'certificate-of-good-standing', count: 1 },
      { type: 'internship-certificate', count: 1 },
      { type: 'reference-letter', count: 2 },
    ]);
    expect(extra('pharmacist').map((r) => r.type)).toEqual(['council-registration', 'certificate-of-good-standing', 'internship-certificate']);
    expect(extra('nurse')).toEqual([
      { type: 'council-registration', count: 1 },
      { type: 'current-practising-license', count: 1 },
      { type: 'reference-letter', count: 1 },
    ]);
    expect(extra('midwife')).toEqual(extra('nurse'));
  });
});

describe('submissionProblems', () => {
  it('accepts a complete set', () => {
    expect(submissionProblems(requiredDocuments('doctor'), complete('doctor'), TODAY)).toEqual([]);
  });
  it('lists each missing document, counting the second reference letter', () => {
    const docs = complete('doctor').filter((d) => d.type !== 'cv');
    const oneLetter = docs.filter((d, i, all) => d.type !== 'reference-letter' || all.findIndex((x) => x.type === 'reference-letter') === i);
    const problems = submissionProblems(requiredDocuments('doctor'), oneLetter, TODAY);
    expect(problems).toEqual([
      { kind: 'missing', type: 'cv', needed: 1, usable: 0 },
      { kind: 'missing', type: 'reference-letter', needed: 2, usable: 1 },
    ]);
    expect(describeProblem(problems[1]!)).toBe('Missing required document: reference-letter (2 needed, 1 usable)');
  });
  it('lists an expired document, and accepts one expiring today', () => {
    const docs = complete('nurse').map((d) => (d.type === 'passport-or-national-id' ? { ...d, expires: '2026-11-24' } : d.type === 'cv' ? { ...d, expires: TODAY } : d));
    const problems = submissionProblems(requiredDocuments('nurse'), docs, TODAY);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'expired', type: 'passport-or-national-id', expires: '2026-11-24' });
    expect(describeProblem(problems[0]!)).toMatch(/^Document DocumentReference\/d\d+ \(passport-or-national-id\) expired on 2026-11-24$/);
  });
  it('ignores an expired copy when a valid one is there', () => {
    const docs = [...complete('pharmacist'), doc('cv', { expires: '2020-01-01' })];
    expect(submissionProblems(requiredDocuments('pharmacist'), docs, TODAY)).toEqual([]);
  });
});

describe('approvalProblems', () => {
  it('needs every required document verified', () => {
    const docs = complete('pharmacist').map((d) => ({ ...d, verification: 'verified' as const }));
    expect(approvalProblems(requiredDocuments('pharmacist'), docs, TODAY)).toEqual([]);
    const [first, second, ...rest] = docs;
    const problems = approvalProblems(requiredDocuments('pharmacist'), [{ ...first!, verification: 'rejected' }, { ...second!, verification: undefined }, ...rest], TODAY);
    expect(problems.map((p) => [p.kind, p.type])).toEqual([
      ['rejected', 'passport-or-national-id'],
      ['unverified', 'primary-degree'],
    ]);
  });
  it('counts a verified document that has expired since as expired', () => {
    const docs = complete('physiotherapist').map((d) => ({ ...d, verification: 'verified' as const, ...(d.type === 'cv' ? { expires: '2026-01-01' } : {}) }));
    expect(approvalProblems(requiredDocuments('physiotherapist'), docs, TODAY).map((p) => p.kind)).toEqual(['expired']);
  });
});
