/**
 * Empty arrays and empty objects are not FHIR: an element has a value or children (ele-1), and
 * the JSON format forbids empty arrays and objects (json.html). The stock JSON schema allows
 * them, so stored resources are checked here; operation bodies and Bundle envelopes, which are
 * not stored, are left lenient. `null` stays allowed: it aligns arrays with their `_x` twins.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../outcomes';

const MAX_ISSUES = 20;

export function emptyElementIssues(resource: Record<string, unknown>, type: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  visit(resource, type, issues);
  return issues;
}

function visit(value: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (issues.length >= MAX_ISSUES || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (value.length === 0) issues.push(issue('invalid', `${path}: an array may not be empty (leave the element out)`, path));
    for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`, issues);
    return;
  }
  let empty = true;
  for (const key in value) {
    empty = false;
    visit((value as Record<string, unknown>)[key], `${path}.${key}`, issues);
  }
  if (empty) issues.push(issue('invalid', `${path}: an object may not be empty (leave the element out)`, path));
}
