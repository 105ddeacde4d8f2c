/**
 * Turns ajv errors into OperationOutcome issues.
 *
 * Expression format (FHIRPath, from the resource root):
 *  - elements `.name`, repetitions `[i]`: `Patient.name[0].given[1]`;
 *  - an unknown element names the element itself: `Patient.foo`; a missing required element names
 *    the missing element: `Observation.code`;
 *  - a nested resource (Bundle.entry.resource, contained, Parameters.parameter.resource, …) is
 *    followed by `.ofType(<its resourceType>)`: `Bundle.entry[0].resource.ofType(Patient).birthDate`,
 *    `Patient.contained[0].ofType(Organization).name`;
 *  - names that are not FHIRPath identifiers are delimited with backticks: `Patient.`$gt``.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { ErrorObject } from 'ajv';
import { issue } from '../outcomes';
import type { CardinalityProblem } from './schema-cardinality';

/** JSON pointer (ajv instancePath) of each nested resource seen → its resourceType. */
export type ResourcePositions = Map<string, string>;

/** Params of the errors raised by the `fhirResource` keyword itself. */
export interface ResourceKeywordParams {
  problem: 'not-object' | 'no-type' | 'type-not-string' | 'unknown-type';
  found?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_VALUE_CHARS = 80;

const PRIMITIVE_HINTS: Record<string, string> = {
  date: 'expected YYYY, YYYY-MM or YYYY-MM-DD',
  dateTime: 'expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.sss]+zz:zz',
  instant: 'expected YYYY-MM-DDThh:mm:ss[.sss]+zz:zz',
  time: 'expected hh:mm:ss[.sss]',
  id: "expected 1 to 64 characters from A-Z, a-z, 0-9, '-' and '.'",
  code: 'no leading, trailing or repeated whitespace, and not empty',
  uri: 'must not contain whitespace',
  oid: 'expected urn:oid:<digits and dots>',
  uuid: 'expected urn:uuid:<lower-case UUID>',
  base64Binary: 'expected base64',
  decimal: 'expected a decimal number',
};

export interface IssueContext {
  root: unknown;
  rootType: string;
  positions: ResourcePositions;
  primitiveByPattern: ReadonlyMap<string, string>;
}

export function issuesFromErrors(errors: readonly ErrorObject[], ctx: IssueContext, maxIssues: number): OperationOutcomeIssue[] {
  const seen = new Set<string>();
  const issues: OperationOutcomeIssue[] = [];
  let dropped = 0;
  for (const error of errors) {
    const mapped = mapError(error, ctx);
    const key = mapped.expression?.[0] ?? '';
    if (seen.has(key)) continue; // one issue per location: the first is the meaningful one
    seen.add(key);
    if (issues.length < maxIssues) issues.push(mapped);
    else dropped++;
  }
  if (dropped > 0) {
    issues.push(issue('informational', `${dropped} further issue(s) not reported (limit ${maxIssues})`, undefined, 'information'));
  }
  return issues;
}

function mapError(error: ErrorObject, ctx: IssueContext): OperationOutcomeIssue {
  const segments = pointerSegments(error.instancePath);
  const at = (extra?: string) => expressionFor(ctx, extra === undefined ? segments : [...segments, extra]);
  const value = valueAt(ctx.root, segments);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return issue('structure', `Unknown element '${name}'`, at(name));
    }
    case 'required': {
      const name = String(params.missingProperty);
      return issue('required', `Missing required element '${name}'`, at(name));
    }
    case 'type':
      return typeIssue(expectedTypes(params.type), value, at());
    case 'pattern': {
      const type = ctx.primitiveByPattern.get(String(params.pattern)) ?? 'value';
      const hint = type === 'string' ? stringHint(value) : PRIMITIVE_HINTS[type];
      return issue('value', `Invalid ${type} ${show(value)}${hint ? ` (${hint})` : ''}`, at());
    }
    case 'fhirBase64':
      return issue('value', `Invalid base64Binary ${show(value)} (${PRIMITIVE_HINTS.base64Binary})`, at());
    case 'fhirCalendarDay':
      return issue('value', `Invalid date ${show(value)} (no such day in that month)`, at());
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.filter((v) => v !== null) : [];
      const list = allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}, …` : allowed.join(', ');
      return issue('value', `Invalid code ${show(value)} (expected one of: ${list})`, at());
    }
    case 'const':
      return issue('value', `Invalid value ${show(value)} (expected ${show(params.allowedValue)})`, at());
    case 'minimum':
    case 'maximum':
      return issue('value', `Value ${show(value)} out of range (must be ${String(params.comparison)} ${String(params.limit)})`, at());
    case 'fhirCardinality':
      return cardinalityIssue(params as unknown as CardinalityProblem, at);
    case 'fhirResource':
      return resourceIssue(params as unknown as ResourceKeywordParams, at);
    default:
      return issue('structure', `${error.message ?? `Failed '${error.keyword}'`}`, at());
  }
}

/** Issues saying only that a mandatory element is missing: the rest of the resource's shape is sound. */
const missingElementIssues = new WeakSet<OperationOutcomeIssue>();

/** Whether `issue` only says a mandatory element is missing (profile validation can still walk the resource). */
export function isMissingElementIssue(issue: OperationOutcomeIssue): boolean {
  return missingElementIssues.has(issue);
}

/** Worded and located as profile validation words and locates them (walk.ts). */
function cardinalityIssue(problem: CardinalityProblem, at: (extra?: string) => string): OperationOutcomeIssue {
  if (problem.problem === 'missing') {
    const missing = issue('required', `${problem.path}: minimum required = 1, but only found 0`, at(problem.name));
    missingElementIssues.add(missing);
    return missing;
  }
  return issue('structure', `${problem.path}: only one type is allowed, but found ${problem.found.join(', ')}`, at(problem.name));
}

function resourceIssue(params: ResourceKeywordParams, at: (extra?: string) => string): OperationOutcomeIssue {
  switch (params.problem) {
    case 'not-object':
      return issue('structure', `Expected a resource (JSON object), found ${params.found ?? 'something else'}`, at());
    case 'no-type':
      return issue('structure', 'Missing resourceType', at('resourceType'));
    case 'type-not-string':
      return issue('structure', `resourceType must be a string, found ${params.found ?? 'something else'}`, at('resourceType'));
    case 'unknown-type':
      return issue('structure', `Unknown resourceType '${params.found ?? ''}'`, at('resourceType'));
  }
}

function typeIssue(expected: string[], value: unknown, expression: string): OperationOutcomeIssue {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return issue('value', 'The number is beyond the range this server can store (about ±1.8e308)', expression);
  }
  if (expected.includes('integer') && typeof value === 'number') {
    return issue('value', `Invalid integer ${show(value)} (expected a whole number)`, expression);
  }
  const wanted = expected.filter((t) => t !== 'null');
  const name = wanted.length === 1 && wanted[0] === 'integer' ? 'integer' : wanted.join(' or ');
  return issue('structure', `Expected ${name}, found ${jsonType(value)}`, expression);
}

function expectedTypes(type: unknown): string[] {
  if (Array.isArray(type)) return type.map(String);
  return String(type).split(',');
}

function stringHint(value: unknown): string {
  if (value === '') return 'must not be empty';
  return 'invalid characters';
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'beyond ±1.8e308';
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function child(node: unknown, segment: string): unknown {
  if (Array.isArray(node)) return node[Number(segment)];
  if (typeof node === 'object' && node !== null && Object.hasOwn(node, segment)) {
    return (node as Record<string, unknown>)[segment];
  }
  return undefined;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const segment of segments) node = child(node, segment);
  return node;
}

function identifier(name: string): string {
  return IDENTIFIER.test(name) ? name : `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/** The FHIRPath expression of a location given as JSON-pointer segments (see the file comment). */
export function expressionFor(ctx: Pick<IssueContext, 'root' | 'rootType' | 'positions'>, segments: readonly string[]): string {
  let expression = ctx.rootType;
  let node = ctx.root;
  let pointer = '';
  for (const segment of segments) {
    expression += Array.isArray(node) ? `[${segment}]` : `.${identifier(segment)}`;
    node = child(node, segment);
    pointer += `/${escapePointer(segment)}`;
    const nestedType = ctx.positions.get(pointer);
    if (nestedType !== undefined) expression += `.ofType(${nestedType})`;
  }
  return expression;
}
