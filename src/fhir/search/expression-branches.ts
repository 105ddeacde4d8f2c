/**
 * R4 search parameters shared by several resource types carry one union expression for all of
 * them (`Patient.name | Practitioner.name`). These helpers split it at the top level and keep
 * the branches that apply to one resource type.
 */
import { isSubtype } from './extract/compile-path';

/** Splits at `|` outside parentheses, brackets and string literals. */
export function splitUnion(expression: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[') depth += 1;
    else if (c === ')' || c === ']') depth -= 1;
    else if (c === '|' && depth === 0) {
      branches.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  branches.push(expression.slice(start).trim());
  return branches.filter((b) => b.length > 0);
}

/** The type name a branch starts with (`(Observation.value as X)` → Observation), if any. */
export function branchRoot(branch: string): string | undefined {
  const m = /^\(*\s*([A-Z][A-Za-z]*)\s*(?:[.)|]|$)/.exec(branch);
  return m?.[1];
}

/**
 * The branches of `expression` that apply to `resourceType`: those rooted at it or at one of
 * its ancestors (Resource, DomainResource), and those with no type root (relative paths).
 */
export function branchesFor(expression: string, resourceType: string): string[] {
  return splitUnion(expression).filter((branch) => {
    const root = branchRoot(branch);
    return root === undefined || isSubtype(resourceType, root);
  });
}
