/**
 * ValueSet `compose.include.filter` evaluated over one indexed CodeSystem (valueset.html#compose,
 * filter-operator): `=`, `is-a`, `descendent-of`, `is-not-a`, `regex`, `in`, `not-in`,
 * `generalizes`, `exists`. The property is `concept`/`code` (the hierarchy or the code itself),
 * `display`, `parent`/`child`, or any property the CodeSystem gives its concepts.
 */
import type { ValueSetComposeIncludeFilter } from '@medplum/fhirtypes';
import { errors } from '../fhir/outcomes';
import { UnsafePatternError, linearRegex } from '../platform/linear-regex';
import type { CodeSystemIndex, IndexedConcept } from './code-system-index';
import { propertyText } from './code-system-index';

/** Bounds a stored or requested regex: no catastrophic patterns on long inputs. */
const MAX_REGEX_LENGTH = 200;

function valuesOf(concept: IndexedConcept, property: string): string[] {
  switch (property) {
    case 'code':
    case 'concept':
      return [concept.code];
    case 'display':
      return concept.display === undefined ? [] : [concept.display];
    case 'parent':
      return concept.parents;
    case 'child':
      return concept.children;
    default:
      return concept.property.flatMap((p) => (p.code === property ? [propertyText(p) ?? ''] : []));
  }
}

function compileRegex(pattern: string): RegExp {
  if (pattern.length > MAX_REGEX_LENGTH) throw errors.invalid(`A regex filter is longer than ${MAX_REGEX_LENGTH} characters`);
  try {
    return linearRegex(`^(?:${pattern})$`);
  } catch (err) {
    if (err instanceof UnsafePatternError) throw errors.invalid(`A regex filter: ${err.message}`);
    throw errors.invalid(`A regex filter '${pattern.slice(0, 60)}' is not a valid regular expression`);
  }
}

function everyCode(cs: CodeSystemIndex): string[] {
  return [...cs.all()].map((c) => c.code);
}

/** The codes of `cs` the filter selects. */
export function applyFilter(cs: CodeSystemIndex, filter: ValueSetComposeIncludeFilter): Set<string> {
  const { property, op, value } = filter;
  if (!property || !op || value === undefined) throw errors.invalid('A ValueSet filter needs property, op and value');
  const hierarchy = property === 'concept' || property === 'code';
  switch (op) {
    case 'is-a':
    case 'descendent-of':
    case 'generalizes':
    case 'is-not-a': {
      if (!hierarchy) throw errors.invalid(`The '${op}' filter applies to the concept hierarchy, not '${property.slice(0, 60)}'`);
      if (op === 'generalizes') return new Set(cs.ancestors(value));
      const below = cs.descendants(value, op !== 'descendent-of');
      if (op !== 'is-not-a') return new Set(below);
      const excluded = new Set(cs.descendants(value));
      return new Set(everyCode(cs).filter((code) => !excluded.has(code)));
    }
    case '=':
    case 'in':
    case 'not-in': {
      const wanted = new Set(op === '=' ? [value] : value.split(',').map((v) => v.trim()));
      const selected = [...cs.all()].filter((c) => valuesOf(c, property).some((v) => wanted.has(v)));
      if (op !== 'not-in') return new Set(selected.map((c) => c.code));
      const inSet = new Set(selected.map((c) => c.code));
      return new Set(everyCode(cs).filter((code) => !inSet.has(code)));
    }
    case 'regex': {
      const regex = compileRegex(value);
      return new Set([...cs.all()].filter((c) => valuesOf(c, property).some((v) => regex.test(v))).map((c) => c.code));
    }
    case 'exists': {
      if (value !== 'true' && value !== 'false') throw errors.invalid("The 'exists' filter takes true or false");
      const want = value === 'true';
      return new Set([...cs.all()].filter((c) => valuesOf(c, property).length > 0 === want).map((c) => c.code));
    }
    default:
      throw errors.notSupported(`ValueSet filter operator '${String(op).slice(0, 30)}' is not supported`, 400);
  }
}
