/**
 * Narratives of a resource to be stored must be free of active content (txt-1, narrative.ts):
 * scripts, forms, frames or event handlers kept here would run in whichever EHR or app renders
 * the narrative. `$validate` reports the same through the profile walk; writes check it here,
 * in every `div` of the resource (FHIR names only Narrative.div so), contained resources included.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../outcomes';
import type { JsonPath } from './json-paths';
import { pathText } from './json-paths';
import { narrativeProblem } from './profile/narrative';

export function unsafeNarrativeIssues(resource: Record<string, unknown>, type: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const visit = (value: unknown, path: JsonPath): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (value[i] === null || typeof value[i] !== 'object') continue;
        path.push(i);
        visit(value[i], path);
        path.pop();
      }
      return;
    }
    for (const key in value as Record<string, unknown>) {
      const child = (value as Record<string, unknown>)[key];
      if (key === 'div' && typeof child === 'string') {
        const problem = narrativeProblem(child);
        if (problem) {
          const at = pathText(type, [...path, key]);
          issues.push(issue('invariant', `${at}: ${problem} (txt-1)`, at));
        }
      } else if (child !== null && typeof child === 'object') {
        path.push(key);
        visit(child, path);
        path.pop();
      }
    }
  };
  visit(resource, []);
  return issues;
}
