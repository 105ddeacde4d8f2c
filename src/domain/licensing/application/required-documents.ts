/**
 * Which documents an application needs (issue 7, "The workflow" 3 and 5), and what is wrong with
 * the ones it has: pure, so the rules are tested without a server. Codes are those of the
 * document-type CodeSystem; midwives need what nurses need.
 */

export interface DocumentRequirement {
  /** A document-type code. */
  type: string;
  /** How many distinct documents of that type. */
  count: number;
}

/** A DocumentReference linked to the application, as the rules see it. */
export interface ApplicationDocument {
  /** `DocumentReference/<id>`. */
  reference: string;
  type: string;
  /** Last day it is valid (YYYY-MM-DD), when it expires. */
  expires?: string;
  /** The officer's latest check ($verify), if any. */
  verification?: 'verified' | 'rejected';
}

export type ProblemKind = 'missing' | 'expired' | 'unverified' | 'rejected';

export interface DocumentProblem {
  kind: ProblemKind;
  type: string;
  /** The document concerned (absent for `missing`). */
  reference?: string;
  expires?: string;
  /** How many of the type are needed, and how many usable ones there are. */
  needed: number;
  usable: number;
}

const FOR_ALL = ['passport-or-national-id', 'primary-degree', 'transcript', 'cv', 'passport-photo', 'proof-of-address'];
const NURSING: Array<[string, number]> = [['council-registration', 1], ['current-practising-license', 1], ['reference-letter', 1]];
const EXTRA: Record<string, Array<[string, number]>> = {
  doctor: [['council-registration', 1], ['certificate-of-good-standing', 1], ['internship-certificate', 1], ['reference-letter', 2]],
  pharmacist: [['council-registration', 1], ['certificate-of-good-standing', 1], ['internship-certificate', 1]],
  nurse: NURSING,
  midwife: NURSING,
};

export function requiredDocuments(professionalType: string): DocumentRequirement[] {
  return [...FOR_ALL.map((type) => ({ type, count: 1 })), ...(EXTRA[professionalType] ?? []).map(([type, count]) => ({ type, count }))];
}

const isExpired = (doc: ApplicationDocument, today: string) => doc.expires !== undefined && doc.expires < today;

/**
 * For each requirement, the documents of its type count when `usable`; when too few do, every
 * other document of the type is a problem (`why` says which), and any shortfall left is `missing`.
 */
function problems(
  required: readonly DocumentRequirement[],
  docs: readonly ApplicationDocument[],
  usable: (doc: ApplicationDocument) => boolean,
  why: (doc: ApplicationDocument) => ProblemKind,
): DocumentProblem[] {
  const found: DocumentProblem[] = [];
  for (const { type, count } of required) {
    const ofType = docs.filter((d) => d.type === type);
    const good = ofType.filter(usable);
    if (good.length >= count) continue;
    for (const doc of ofType.filter((d) => !usable(d))) {
      found.push({ kind: why(doc), type, reference: doc.reference, ...(doc.expires ? { expires: doc.expires } : {}), needed: count, usable: good.length });
    }
    if (ofType.length < count) found.push({ kind: 'missing', type, needed: count, usable: good.length });
  }
  return found;
}

/** What stops a submission: required documents absent or expired on `today`. */
export function submissionProblems(required: readonly DocumentRequirement[], docs: readonly ApplicationDocument[], today: string): DocumentProblem[] {
  return problems(required, docs, (d) => !isExpired(d, today), () => 'expired');
}

/** What stops an approval: required documents not verified (rejected, unchecked, expired since, or absent). */
export function approvalProblems(required: readonly DocumentRequirement[], docs: readonly ApplicationDocument[], today: string): DocumentProblem[] {
  return problems(
    required,
    docs,
    (d) => d.verification === 'verified' && !isExpired(d, today),
    (d) => (isExpired(d, today) ? 'expired' : d.verification === 'rejected' ? 'rejected' : 'unverified'),
  );
}

/** One line a person can act on. */
export function describeProblem(p: DocumentProblem): string {
  const count = p.needed > 1 ? ` (${p.needed} needed, ${p.usable} usable)` : '';
  switch (p.kind) {
    case 'missing':
      return `Missing required document: ${p.type}${count}`;
    case 'expired':
      return `Document ${p.reference} (${p.type}) expired on ${p.expires}${count}`;
    case 'rejected':
      return `Document ${p.reference} (${p.type}) was rejected by the registry${count}`;
    case 'unverified':
      return `Document ${p.reference} (${p.type}) is not verified yet${count}`;
  }
}
