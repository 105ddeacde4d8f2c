/**
 * FhirError and OperationOutcome factories, plus the one table that maps
 * issue codes to HTTP statuses (DESIGN.md §6).
 */
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueSeverity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

/** The default HTTP status for each issue code; a thrower may override it. */
const STATUS_BY_CODE: Partial<Record<IssueCode, number>> = {
  invalid: 400,
  structure: 400,
  required: 400,
  value: 400,
  invariant: 400,
  security: 403,
  login: 401,
  unknown: 401,
  forbidden: 403,
  suppressed: 403,
  processing: 422,
  'not-supported': 405,
  duplicate: 409,
  'multiple-matches': 412,
  'not-found': 404,
  deleted: 410,
  'too-long': 413,
  'code-invalid': 400,
  extension: 400,
  'too-costly': 413,
  'business-rule': 422,
  conflict: 409,
  transient: 503,
  'lock-error': 409,
  'no-store': 503,
  exception: 500,
  timeout: 504,
  incomplete: 422,
  throttled: 429,
  informational: 200,
};

export function statusForCode(code: IssueCode): number {
  return STATUS_BY_CODE[code] ?? 400;
}

export function issue(
  code: IssueCode,
  diagnostics: string,
  expression?: string | string[],
  severity: IssueSeverity = 'error',
): OperationOutcomeIssue {
  const result: OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression !== undefined) {
    result.expression = Array.isArray(expression) ? expression : [expression];
  }
  return result;
}

export function operationOutcome(issues: OperationOutcomeIssue[], id?: string): OperationOutcome {
  return id ? { resourceType: 'OperationOutcome', id, issue: issues } : { resourceType: 'OperationOutcome', issue: issues };
}

export function informational(text: string): OperationOutcome {
  return operationOutcome([issue('informational', text, undefined, 'information')]);
}

/** An error that carries the OperationOutcome and HTTP status the client should see. */
export class FhirError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  /** Extra response headers (e.g. ETag on a 410 for a deleted resource). */
  readonly headers: Record<string, string>;

  constructor(issues: OperationOutcomeIssue[], status?: number, headers: Record<string, string> = {}) {
    const first = issues[0];
    super(first?.diagnostics ?? 'FHIR error');
    this.name = 'FhirError';
    this.outcome = operationOutcome(issues);
    this.status = status ?? (first ? statusForCode(first.code) : 500);
    this.headers = headers;
  }
}

export const errors = {
  invalid: (text: string, expression?: string | string[]) => new FhirError([issue('invalid', text, expression)], 400),
  notFound: (text: string) => new FhirError([issue('not-found', text)], 404),
  gone: (text: string, headers?: Record<string, string>) => new FhirError([issue('deleted', text)], 410, headers),
  conflict: (text: string) => new FhirError([issue('conflict', text)], 409),
  preconditionFailed: (text: string) => new FhirError([issue('conflict', text)], 412),
  notSupported: (text: string, status = 405) => new FhirError([issue('not-supported', text)], status),
  tooLarge: (text: string) => new FhirError([issue('too-long', text)], 413),
  unsupportedMediaType: (text: string) => new FhirError([issue('not-supported', text)], 415),
  notAcceptable: (text: string) => new FhirError([issue('not-supported', text)], 406),
};
