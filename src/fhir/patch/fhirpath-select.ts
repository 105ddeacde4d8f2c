/**
 * Evaluating a FHIRPath Patch path with fhirpath.js on the R4 model, keeping the result as
 * fhirpath.js ResourceNodes: each knows the JSON object it sits in (its parent's data), its
 * property name and its index in an array, which is what the patch operations change.
 */
import fhirpath from 'fhirpath';
import { LINEAR_REGEX_FUNCTIONS } from '../fhirpath-regex';
import r4 from 'fhirpath/fhir-context/r4';
import type { ResourceNode } from 'fhirpath';
import { invalidPatch, unprocessablePatch } from './errors';

export type { ResourceNode };

/** FHIRPath keywords that are also element names after a dot (`Narrative.div`). */
const OPERATOR_KEYWORDS = new Set(['div', 'mod', 'and', 'or', 'xor', 'implies']);

/**
 * Quotes operator keywords used as member names: `text.div` → ``text.`div` ``. In the FHIRPath
 * grammar `div` is a keyword, so fhirpath.js rejects `Patient.text.div`, which the official
 * FHIRPath Patch cases (and the Java reference implementation) accept. After a `.` only an
 * invocation can follow, never an operator, so quoting changes the meaning of no valid expression.
 */
export function quoteMemberKeywords(expression: string): string {
  let out = '';
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === "'" || c === '`') {
      // Copy a string literal or a delimited identifier through its closing quote.
      let j = i + 1;
      while (j < expression.length && expression[j] !== c) j += expression[j] === '\\' ? 2 : 1;
      out += expression.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '.') {
      const match = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)/.exec(expression.slice(i + 1));
      if (match && OPERATOR_KEYWORDS.has(match[2]!) && expression[i + 1 + match[0].length] !== '(') {
        out += `.${match[1]}\`${match[2]}\``;
        i += 1 + match[0].length;
        continue;
      }
    }
    out += c;
    i += 1;
  }
  return out;
}

/** Checks that a path parses; returns the expression to evaluate. Syntax errors are 400s. */
export function compilePath(path: string, where: string): string {
  const expression = quoteMemberKeywords(path);
  try {
    fhirpath.parse(expression);
  } catch (err) {
    throw invalidPatch(`${where}: '${path.slice(0, 200)}' is not a valid FHIRPath expression: ${firstLine(err)}`);
  }
  return expression;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);
}

function isNode(value: unknown): value is ResourceNode {
  return typeof value === 'object' && value !== null && 'parentResNode' in value && 'data' in value && 'propName' in value;
}

function rootOf(node: ResourceNode): ResourceNode {
  let current = node;
  while (current.parentResNode) current = current.parentResNode;
  return current;
}

/**
 * The elements of `resource` that `expression` selects. Computed values (literals, arithmetic,
 * string functions) and anything outside the resource are refused: a patch changes elements.
 */
export function select(resource: object, expression: string, path: string, where: string): ResourceNode[] {
  let result: unknown[];
  try {
    result = fhirpath.evaluate(resource, expression, { resource, rootResource: resource }, r4, { resolveInternalTypes: false, userInvocationTable: LINEAR_REGEX_FUNCTIONS });
  } catch (err) {
    throw unprocessablePatch(`${where}: evaluating '${path.slice(0, 200)}' failed: ${firstLine(err)}`, path);
  }
  for (const item of result) {
    if (!isNode(item) || rootOf(item).data !== resource) {
      throw unprocessablePatch(`${where}: '${path.slice(0, 200)}' must select elements of the resource, not computed values`, path);
    }
  }
  return result as ResourceNode[];
}
