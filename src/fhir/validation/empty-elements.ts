/**
 * Empty arrays and empty objects are not FHIR: an element has a value or children (ele-1), and
 * the JSON format forbids empty arrays and objects (json.html). The stock JSON schema allows
 * them, so stored resources are checked here; operation bodies and Bundle envelopes, which are
 * not stored, are left lenient. `null` stays allowed: it aligns arrays with their `_x` twins.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../outcomes';
import type { JsonPath } from './json-paths';
import { pathText } from './json-paths';

const MAX_ISSUES = 20;

export function emptyElementIssues(resource: Record<string, unknown>, type: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const report = (path: JsonPath, what: string): void => {
    const at = pathText(type, path);
    issues.push(issue('invalid', `${at}: ${what} may not be empty (leave the element out)`, at));
  };
  const visit = (value: unknown, path: JsonPath): void => {
    if (issues.length >= MAX_ISSUES || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      if (value.length === 0) report(path, 'an array');
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        visit(value[i], path);
        path.pop();
      }
      return;
    }
    let empty = true;
    for (const key in value) {
      empty = false;
      const child = (value as Record<string, unknown>)[key];
      if (child === null || typeof child !== 'object') continue;
      path.push(key);
      visit(child, path);
      path.pop();
    }
    if (empty) report(path, 'an object');
  };
  visit(resource, []);
  return issues;
}
