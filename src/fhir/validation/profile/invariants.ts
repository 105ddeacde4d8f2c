/**
 * Element constraints (invariants) evaluated with fhirpath.js and its R4 model. Each expression is
 * compiled once per (context path, expression); the hottest ones run natively first
 * (native-invariants.ts), fhirpath.js deciding what they leave open. A few HL7 constraints cannot run here; they are
 * listed in SKIPPED with the reason, and any expression fhirpath.js cannot compile is skipped too.
 */
import fhirpath from 'fhirpath';
import { LINEAR_REGEX_FUNCTIONS } from '../../fhirpath-regex';
import r4 from 'fhirpath/fhir-context/r4';
import type { CompiledConstraint } from './model';
import { NATIVE_INVARIANTS } from './native-invariants';

/** HL7 R4 constraints we do not evaluate, and why. */
export const SKIPPED: Readonly<Record<string, string>> = {
  'ele-1': 'checked natively by the walker (an element must have a value or children): running it on every element is costly',
  'txt-1': 'htmlChecks() (XHTML content rules) is not implemented by fhirpath.js; treated as true, and narrative.ts checks the XHTML natively',
  'txt-2': 'htmlChecks() is not implemented by fhirpath.js; treated as true',
  'dom-3': 'contained resources must be referenced: needs %resource.descendants() over every reference form; slow and reference-format dependent',
  'sdf-9': 'uses %resource-relative descendants over snapshots; not meaningful for instance validation',
  'que-7': "`answer as Boolean` names the System type, which fhirpath.js does not match to a FHIR boolean: it fails every valid 'exists' condition",
  'bdl-3': 'entry.request.method uniqueness needs resolve() semantics; not evaluated',
};

/** Expressions calling functions fhirpath.js cannot run synchronously or does not have. */
const UNSUPPORTED = /\b(resolve|conformsTo|memberOf|htmlChecks|checkModifiers|hasTemplateIdOf|elementDefinition|slice)\(/;

/**
 * Constraints whose empty result means an indeterminate comparison, which the reference validator
 * reports as a failure: per-1 with start and end of different precisions (`2023-06-21` and
 * `2023-06-21T06:20:00Z`).
 */
const EMPTY_FAILS: ReadonlySet<string> = new Set(['per-1']);

const ignoreTrace = (): void => undefined;

type Compiled = (resource: unknown, env?: Record<string, unknown>) => unknown[];

export interface InvariantFailure {
  readonly constraint: CompiledConstraint;
}

export class InvariantRunner {
  private readonly compiled = new Map<string, Compiled | null>();

  /** `natives: false` evaluates everything with fhirpath.js (the native versions' tests compare the two). */
  constructor(private readonly options: { natives?: boolean } = {}) {}

  private compile(base: string, expression: string): Compiled | null {
    const key = `${base}\u0000${expression}`;
    let fn = this.compiled.get(key);
    if (fn === undefined) {
      try {
        fn = fhirpath.compile({ base, expression }, r4, { traceFn: ignoreTrace, userInvocationTable: LINEAR_REGEX_FUNCTIONS }) as unknown as Compiled;
      } catch {
        fn = null;
      }
      this.compiled.set(key, fn);
    }
    return fn;
  }

  /** Whether the constraint is evaluated at all (see SKIPPED and UNSUPPORTED). */
  static runs(constraint: CompiledConstraint): boolean {
    return !(constraint.key in SKIPPED) && !UNSUPPORTED.test(constraint.expression);
  }

  /**
   * Evaluates `constraint` on `node` (typed by the element path `base`): false only when the
   * expression yields false. An empty result passes (fhirpath.js yields empty for missing data
   * where the reference validator's engine yields true, e.g. ref-1 or ras-2), except for the
   * constraints in EMPTY_FAILS; an evaluation error does not fail the resource.
   */
  holds(constraint: CompiledConstraint, base: string, node: unknown, resource: unknown): boolean {
    const native = this.options.natives === false ? undefined : NATIVE_INVARIANTS.get(constraint.expression);
    const verdict = native?.(node, resource);
    if (verdict !== undefined) return verdict;
    const fn = this.compile(base, constraint.expression);
    if (!fn) return true;
    try {
      const result = fn(node, { resource, rootResource: resource });
      if (result.length === 0) return !EMPTY_FAILS.has(constraint.key);
      return !(result.length === 1 && result[0] === false);
    } catch {
      return true;
    }
  }
}
