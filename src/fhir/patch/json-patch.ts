/**
 * JSON Patch (RFC 6902, `application/json-patch+json`) for the PATCH interaction: reading the
 * patch document (every problem a 400) and applying it with `rfc6902` (every failure a 422).
 * See errors.ts for the status rules.
 */
import { applyPatch } from 'rfc6902';
import type { Operation } from 'rfc6902';
import { invalidPatch, unprocessablePatch } from './errors';
import { nestedDeeperThan } from '../rest/json-depth';

const MAX_OPERATIONS = 10_000;
const MAX_DEPTH = 64;
const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
const NEEDS_VALUE = new Set(['add', 'replace', 'test']);
const NEEDS_FROM = new Set(['move', 'copy']);

/** RFC 6901: empty, or `/`-separated tokens where `~` is only followed by 0 or 1. */
const POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}


function checkPointer(value: unknown, member: 'path' | 'from', at: string): string {
  if (typeof value !== 'string') throw invalidPatch(`${at}: '${member}' must be a JSON Pointer string`);
  if (!POINTER.test(value)) throw invalidPatch(`${at}: '${value.slice(0, 100)}' is not a JSON Pointer (RFC 6901)`);
  // A FHIR resource has no such member; refusing it keeps prototypes out of reach.
  if (value.split('/').includes('__proto__')) throw invalidPatch(`${at}: '__proto__' is not allowed in a pointer`);
  return value;
}

/** One operation, checked for the members RFC 6902 §4 requires; other members are ignored (§4). */
function checkOperation(raw: unknown, index: number): Operation {
  const at = `Operation ${index + 1}`;
  if (!isRecord(raw)) throw invalidPatch(`${at} is not a JSON object`);
  const op = raw.op;
  if (typeof op !== 'string' || !OPS.has(op)) {
    throw invalidPatch(`${at}: 'op' must be one of ${[...OPS].join(', ')} (got ${JSON.stringify(op ?? null).slice(0, 40)})`);
  }
  const path = checkPointer(raw.path, 'path', at);
  if (NEEDS_VALUE.has(op) && !Object.hasOwn(raw, 'value')) throw invalidPatch(`${at} (${op}) has no 'value'`);
  if (NEEDS_FROM.has(op)) checkPointer(raw.from, 'from', at);
  if (op === 'remove' && path === '') throw invalidPatch(`${at}: the whole resource cannot be removed by a patch`);
  return raw as unknown as Operation;
}

/** Parses a JSON Patch request body: a JSON array of operations. */
export function parseJsonPatch(body: Buffer | undefined): Operation[] {
  if (!body || body.length === 0) throw invalidPatch('The request has no body; a JSON Patch document (an array of operations) is required');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalidPatch(`The JSON Patch document is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!Array.isArray(value)) throw invalidPatch('A JSON Patch document must be a JSON array of operations (RFC 6902 §3)');
  if (value.length > MAX_OPERATIONS) throw invalidPatch(`A JSON Patch document may hold at most ${MAX_OPERATIONS} operations`);
  if (nestedDeeperThan(value, MAX_DEPTH)) throw invalidPatch(`The JSON Patch document is nested deeper than ${MAX_DEPTH} levels`);
  return value.map(checkOperation);
}

function describe(op: Operation, index: number): string {
  const from = 'from' in op ? ` from '${op.from}'` : '';
  return `Operation ${index + 1} (${op.op} '${op.path}'${from})`;
}

/**
 * Applies `operations` in order to `document` (which is changed in place; pass a copy) and
 * returns the result. Any failure throws and the caller discards the document (RFC 6902 §5).
 */
export function applyJsonPatch(document: unknown, operations: readonly Operation[]): unknown {
  let current = document;
  operations.forEach((op, index) => {
    // The root is replaced as a whole (RFC 6902 §4.1, "the root of the target document").
    if (op.path === '' && (op.op === 'add' || op.op === 'replace')) {
      current = structuredClone(op.value);
      return;
    }
    let error: Error | null | undefined;
    try {
      [error] = applyPatch(current, [op]);
    } catch (err) {
      // e.g. adding a member to a string: the parent exists but is not a container.
      throw unprocessablePatch(`${describe(op, index)} cannot be applied: ${(err as Error).message.slice(0, 200)}`);
    }
    if (!error) return;
    switch (error.name) {
      case 'TestError':
        throw unprocessablePatch(`${describe(op, index)} failed: the value differs (${error.message.slice(0, 200)})`);
      case 'MissingError':
        throw unprocessablePatch(`${describe(op, index)} cannot be applied: no value at ${error.message.replace(/^.*?: /, '').slice(0, 200) || 'the root'}`);
      default:
        throw unprocessablePatch(`${describe(op, index)} cannot be applied: ${error.message.slice(0, 200)}`);
    }
  });
  return current;
}
