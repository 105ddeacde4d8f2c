import { narrativeProblem } from './narrative';

/** fixed[x] / pattern[x] comparison (elementdefinition-definitions.html#ElementDefinition.fixed_x_). */

/** Exactly equal, as JSON (fixed[x]: "all values in an instance SHALL match exactly"). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The instance carries at least the pattern (pattern[x]): every property of the pattern is
 * present with a matching value; every array item of the pattern matches some item of the value.
 */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (typeof pattern !== 'object' || pattern === null) return value === pattern;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(pattern)) {
    const items = Array.isArray(value) ? value : [value];
    return pattern.every((p) => items.some((item) => matchesPattern(item, p)));
  }
  if (Array.isArray(value)) return false;
  return Object.entries(pattern).every(([key, p]) => {
    const v = (value as Record<string, unknown>)[key];
    return v !== undefined && matchesPattern(v, p);
  });
}

/** A short JSON rendering for messages. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** FHIR strings are limited to 1 MB (datatypes.html#string). */
const MAX_STRING = 1024 * 1024;

/** A value problem the JSON schema leaves open, as a message; undefined when fine. */
export function primitiveProblem(type: string, value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > MAX_STRING) return `The value is longer than permitted maximum length of 1 MB (${MAX_STRING} bytes)`;
  if (type === 'xhtml' && typeof value === 'string') return narrativeProblem(value);
  if (type === 'Attachment' && typeof value === 'object' && value !== null) return attachmentProblem(value as { data?: unknown; size?: unknown });
  if (type === 'base64Binary' && typeof value === 'string' && !BASE64.test(value.replace(/\s+/g, ''))) {
    return `The value '${value.slice(0, 40)}' is not a valid Base64 value`;
  }
  return undefined;
}

/** Attachment.size, when given with inline data, is the size of the decoded data. */
function attachmentProblem(attachment: { data?: unknown; size?: unknown }): string | undefined {
  const { data, size } = attachment;
  if (typeof data !== 'string' || typeof size !== 'number' || !BASE64.test(data.replace(/\s+/g, ''))) return undefined;
  const actual = Buffer.from(data, 'base64').length;
  return actual === size ? undefined : `Stated Attachment Size ${size} does not match actual attachment size ${actual}`;
}

/** `dateTime` → `DateTime`: the suffix a choice element uses for a type. */
export function choiceSuffix(code: string): string {
  return code.charAt(0).toUpperCase() + code.slice(1);
}

/** Primitive types start lower-case (`string`, `dateTime`); complex ones upper-case. */
export function isPrimitiveType(code: string): boolean {
  return /^[a-z]/.test(code) || code.startsWith('http://hl7.org/fhirpath/System.');
}
