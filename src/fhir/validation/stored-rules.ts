/**
 * What a resource to be stored must meet beyond the JSON schema, checked in one walk of its JSON
 * (every write pays for it):
 * - no empty arrays or objects: an element has a value or children (ele-1), and the JSON format
 *   forbids them (json.html). `null` stays allowed: it aligns arrays with their `_x` twins.
 * - with `narratives`, no active content in any narrative `div` (txt-1, profile/narrative.ts),
 *   contained resources included: scripts, forms, frames or event handlers kept here would run in
 *   whichever EHR or app renders the narrative. FHIR names only Narrative.div so. `$validate`
 *   leaves this rule to its profile walk.
 * Operation bodies and Bundle envelopes, which are not stored, are not checked. Locations are
 * kept as a stack of keys and indexes and spelled out (`Patient.name[0].given`) only for issues.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../outcomes';
import { narrativeProblem } from './profile/narrative';

const MAX_ISSUES = 20;

type JsonPath = Array<string | number>;

function pathText(type: string, path: JsonPath): string {
  let text = type;
  for (const step of path) text += typeof step === 'number' ? `[${step}]` : `.${step}`;
  return text;
}

export function storedResourceIssues(resource: Record<string, unknown>, type: string, options: { narratives: boolean }): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const path: JsonPath = [];
  const empty = (what: string): void => {
    const at = pathText(type, path);
    issues.push(issue('invalid', `${at}: ${what} may not be empty (leave the element out)`, at));
  };
  const visit = (value: object): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (Array.isArray(value)) {
      if (value.length === 0) empty('an array');
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === null || typeof item !== 'object') continue;
        path.push(i);
        visit(item);
        path.pop();
      }
      return;
    }
    let hasKeys = false;
    for (const key in value) {
      hasKeys = true;
      const child = (value as Record<string, unknown>)[key];
      if (key === 'div' && typeof child === 'string' && options.narratives) {
        const problem = narrativeProblem(child);
        if (problem) {
          const at = pathText(type, [...path, key]);
          issues.push(issue('invariant', `${at}: ${problem} (txt-1)`, at));
        }
      } else if (child !== null && typeof child === 'object') {
        path.push(key);
        visit(child);
        path.pop();
      }
    }
    if (!hasKeys) empty('an object');
  };
  visit(resource);
  return issues;
}
