/**
 * The instance walk: every element of a resource checked against a compiled profile
 * (cardinality, fixed/pattern, primitive values, slicing, invariants), descending into
 * backbone elements, datatypes (their own StructureDefinitions) and nested resources.
 * Bindings are only collected here; they are checked afterwards (asynchronously) in bindings.ts.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../../outcomes';
import { InvariantRunner } from './invariants';
import type { Item } from './items';
import { collect, disallowedChoices, skippable } from './items';
import type { CompiledBinding, CompiledElement, CompiledProfile } from './model';
import { bundleReferenceIssues } from './bundle-references';
import { bundleIssues } from './bundle-rules';
import { parametersReferenceIssues } from './parameters-references';
import type { ExtensionPolicy } from './extension-policy';
import { unknownExtensionIssue } from './extension-policy';
import { assignSlices } from './slicing';
import { deepEqual, isPrimitiveType, matchesPattern, primitiveProblem, show } from './values';

export interface BindingCheck {
  readonly binding: CompiledBinding;
  readonly item: Item;
}

export interface WalkContext {
  readonly issues: OperationOutcomeIssue[];
  readonly bindings: BindingCheck[];
  /** The compiled base StructureDefinition of a type (`Period`, `Patient`). */
  readonly profileFor: (type: string) => CompiledProfile | undefined;
  readonly invariants: InvariantRunner;
  /** How extensions without a known definition are reported ($validate); unset: not reported. */
  readonly extensionPolicy?: ExtensionPolicy;
  /** The resource `%resource` refers to. */
  resource: unknown;
  depth: number;
}

const MAX_DEPTH = 60;
/** Types whose content is described by the element's own children, not a datatype definition. */
const INLINE_TYPES = new Set(['BackboneElement', 'Element']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function invariantBase(element: CompiledElement): string {
  return element.path.replace(/\[x\]$/, '');
}

function runConstraints(ctx: WalkContext, element: CompiledElement, item: Item, base: string, done: Set<string>): void {
  for (const constraint of element.constraints) {
    if (done.has(constraint.key)) continue;
    done.add(constraint.key);
    if (!InvariantRunner.runs(constraint)) continue;
    if (ctx.invariants.holds(constraint, base, item.value, ctx.resource)) continue;
    ctx.issues.push(issue('invariant', `Constraint failed: ${constraint.key}: '${constraint.human}'`, item.expression, constraint.severity));
  }
}

function checkValue(ctx: WalkContext, element: CompiledElement, item: Item): void {
  const { value } = item;
  if (element.fixed !== undefined && !deepEqual(value, element.fixed)) {
    ctx.issues.push(issue('value', `Value is ${show(value)} but must be exactly ${show(element.fixed)} (fixed by ${element.path})`, item.expression));
  }
  if (element.pattern !== undefined && !matchesPattern(value, element.pattern)) {
    ctx.issues.push(issue('value', `Value is ${show(value)} but must match the pattern ${show(element.pattern)} (${element.path})`, item.expression));
  }
  const problem = primitiveProblem(item.type, value);
  if (problem) ctx.issues.push(issue('value', problem, item.expression));
  if (isObject(value) && Object.keys(value).every((k) => k === 'id')) {
    ctx.issues.push(issue('invariant', `Constraint failed: ele-1: 'All FHIR elements must have a @value or children'`, item.expression));
  }
  if (element.binding && value !== undefined) ctx.bindings.push({ binding: element.binding, item });
}

/** One value of an element: its own rules, then its content. */
export function checkItem(ctx: WalkContext, profile: CompiledProfile, element: CompiledElement, item: Item): void {
  if (item.value === undefined || item.value === null) return;
  checkValue(ctx, element, item);
  const done = new Set<string>();
  runConstraints(ctx, element, item, invariantBase(element), done);
  const { value } = item;
  if (!isObject(value) || ctx.depth > MAX_DEPTH) return;
  ctx.depth++;
  try {
    if (typeof value.resourceType === 'string' && (item.type === 'Resource' || item.type === 'DomainResource' || element.children.length === 0)) {
      const nested = ctx.profileFor(value.resourceType);
      if (nested) walkResource(ctx, nested, value, `${item.expression}.ofType(${value.resourceType})`, element.name !== 'contained');
      return;
    }
    if (element.children.length > 0) {
      walkChildren(ctx, profile, element, value, item.expression);
      return;
    }
    const referenced = element.contentReference ? profile.byPath.get(element.contentReference) : undefined;
    if (referenced) {
      walkChildren(ctx, profile, referenced, value, item.expression);
      return;
    }
    if (isPrimitiveType(item.type) || INLINE_TYPES.has(item.type)) return;
    // An extension whose definition we hold (ours, from profiles/) is checked against it.
    const definition = item.type === 'Extension' && typeof value.url === 'string' ? ctx.profileFor(value.url) : undefined;
    if (item.type === 'Extension' && typeof value.url === 'string' && definition?.type !== 'Extension' && ctx.extensionPolicy) {
      const unknown = unknownExtensionIssue(value.url, item.key === 'modifierExtension', item.expression, ctx.extensionPolicy);
      if (unknown) ctx.issues.push(unknown);
    }
    const datatype = definition?.type === 'Extension' ? definition : ctx.profileFor(item.type);
    if (!datatype) return;
    runConstraints(ctx, datatype.root, item, datatype.type, done);
    walkChildren(ctx, datatype, datatype.root, value, item.expression);
  } finally {
    ctx.depth--;
  }
}

function checkSlices(ctx: WalkContext, profile: CompiledProfile, element: CompiledElement, items: readonly Item[], parent: string): void {
  const assigned = assignSlices(items, element.slices, element.slicing?.discriminators ?? []);
  for (const slice of element.slices) {
    const count = assigned.filter((s) => s === slice).length;
    const label = `${element.path}:${slice.sliceName}`;
    if (count < slice.min) ctx.issues.push(issue('required', `${label}: minimum required = ${slice.min}, but only found ${count}`, parent));
    if (count > slice.max) ctx.issues.push(issue('structure', `${label}: maximum allowed = ${slice.maxText}, but found ${count}`, parent));
  }
  items.forEach((item, i) => {
    const slice = assigned[i];
    if (!slice && element.slicing?.rules === 'closed') {
      ctx.issues.push(issue('structure', `This element does not match any known slice of ${element.path} and slicing is closed`, item.expression));
    }
    checkItem(ctx, profile, slice ?? element, item);
  });
}

/** The children of `parent` in `obj`: cardinality and slices, then each value. */
export function walkChildren(ctx: WalkContext, profile: CompiledProfile, parent: CompiledElement, obj: Record<string, unknown>, expression: string): void {
  for (const element of parent.children) {
    if (skippable(obj, element)) continue;
    const { items, emptyArrays } = collect(obj, element, expression);
    for (const where of emptyArrays) {
      ctx.issues.push(issue('structure', 'Array cannot be empty - the property should not be present if it has no values', where));
    }
    for (const key of disallowedChoices(obj, element, parent.children)) {
      const type = key.slice(element.choiceBase!.length);
      ctx.issues.push(issue('structure', `Type ${type} is not allowed for ${element.path} (allowed: ${element.types.join(', ')})`, `${expression}.${key}`));
    }
    const count = items.length;
    // Located at the element (`Patient.contact[0].name`), as the base schema locates missing ones.
    const at = `${expression}.${element.choiceBase ?? element.name}`;
    if (count < element.min) {
      ctx.issues.push(issue('required', `${element.path}: minimum required = ${element.min}, but only found ${count}`, at));
    }
    if (count > element.max) {
      ctx.issues.push(issue('structure', `${element.path}: maximum allowed = ${element.maxText}, but found ${count}`, at));
    }
    if (element.slicing && element.slices.length > 0) {
      checkSlices(ctx, profile, element, items, at);
      continue;
    }
    for (const item of items) checkItem(ctx, profile, element, item);
  }
}

/** A whole resource (the root, a contained one, or a Bundle entry) against `profile`. */
export function walkResource(ctx: WalkContext, profile: CompiledProfile, resource: Record<string, unknown>, expression: string, ownScope = true): void {
  const outer = ctx.resource;
  if (ownScope) ctx.resource = resource;
  try {
    const item: Item = { value: resource, type: profile.type, expression, key: '' };
    runConstraints(ctx, profile.root, item, profile.type, new Set());
    if (resource.resourceType === 'Bundle') ctx.issues.push(...bundleIssues(resource, expression), ...bundleReferenceIssues(resource, expression));
    if (resource.resourceType === 'Parameters') ctx.issues.push(...parametersReferenceIssues(resource, expression));
    walkChildren(ctx, profile, profile.root, resource, expression);
  } finally {
    ctx.resource = outer;
  }
}
