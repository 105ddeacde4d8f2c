/**
 * Narratives of a resource to be stored must be free of active content (txt-1, narrative.ts):
 * scripts, forms, frames or event handlers kept here would run in whichever EHR or app renders
 * the narrative. `$validate` reports the same through the profile walk; writes check it here,
 * in every `div` of the resource (FHIR names only Narrative.div so), contained resources included.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../outcomes';
import { narrativeProblem } from './profile/narrative';

export function unsafeNarrativeIssues(resource: Record<string, unknown>, type: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  visit(resource, type, issues);
  return issues;
}

function visit(value: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`, issues);
    return;
  }
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (key === 'div' && typeof child === 'string') {
      const problem = narrativeProblem(child);
      if (problem) issues.push(issue('invariant', `${path}.div: ${problem} (txt-1)`, `${path}.div`));
    } else if (typeof child === 'object') visit(child, `${path}.${key}`, issues);
  }
}
