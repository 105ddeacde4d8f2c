/**
 * One code checked against a CodeSystem we hold (or UCUM), shared by CodeSystem and ValueSet
 * $validate-code. A wrong display leaves the code valid and explains itself in `message`, as
 * HAPI does by default: the code is what systems act on, the display is for people.
 */
import type { Parameters } from '@medplum/fhirtypes';
import type { CodeSystemIndex } from '../code-system-index';
import { parameters, stringOut } from './inputs';
import { checkUcum } from './ucum';

export interface CodeCheck {
  valid: boolean;
  message?: string;
  display?: string;
}

/** Client text in messages is cut short. */
export const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text);

const fold = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

export function describeSystem(cs: CodeSystemIndex): string {
  if (!cs.url) return 'the CodeSystem given';
  return `the CodeSystem '${clip(cs.url)}'${cs.version ? ` version '${clip(cs.version)}'` : ''}`;
}

/**
 * Whether `given` is one of the `accepted` displays (case and spacing aside: R4 leaves case to
 * each code system, and most of ours are not strict about it).
 */
export function checkDisplay(code: string, system: string, preferred: string | undefined, accepted: readonly string[], given: string | undefined): CodeCheck {
  const ok: CodeCheck = { valid: true, ...(preferred === undefined ? {} : { display: preferred }) };
  if (given === undefined || accepted.length === 0 || accepted.some((d) => fold(d) === fold(given))) return ok;
  const expected = [...new Set(accepted)].map((d) => `'${clip(d)}'`).join(' or ');
  return { ...ok, message: `The display '${clip(given)}' is not a valid display for the code '${clip(code)}' of '${clip(system)}'; expected ${expected}` };
}

/**
 * `code` in a CodeSystem we hold: it exists (found case-insensitively when the system says so),
 * is not abstract unless abstract codes are allowed, and its display matches when one is given.
 * `alsoAccepted` are displays a ValueSet gives the code.
 */
export function checkInCodeSystem(cs: CodeSystemIndex, code: string, given: string | undefined, abstractOk: boolean, alsoAccepted: readonly string[] = []): CodeCheck {
  const concept = cs.get(code);
  if (!concept) {
    const partial = cs.complete ? '' : ', which this server holds only in part';
    return { valid: false, message: `Unknown code '${clip(code)}' in ${describeSystem(cs)}${partial}` };
  }
  if (!abstractOk && cs.isAbstract(concept)) {
    return { valid: false, message: `The code '${clip(concept.code)}' in ${describeSystem(cs)} is abstract; abstract codes are valid only with abstract=true`, ...(concept.display ? { display: concept.display } : {}) };
  }
  const accepted = [...alsoAccepted, ...(concept.display ? [concept.display] : []), ...(concept.designation ?? []).flatMap((d) => (d.value ? [d.value] : []))];
  return checkDisplay(concept.code, cs.url, alsoAccepted[0] ?? concept.display, accepted, given);
}

/** A UCUM code: any valid unit expression. UCUM defines no display names, so none is checked. */
export function checkUcumCode(code: string): CodeCheck {
  const result = checkUcum(code);
  return result.valid ? { valid: true, display: result.name } : { valid: false, message: result.message };
}

/** With several codings (a CodeableConcept), the first valid one answers; else the first failure. */
export function firstValid(checks: readonly CodeCheck[]): CodeCheck {
  return checks.find((c) => c.valid) ?? checks[0] ?? { valid: false, message: 'No coding to check' };
}

export function validateCodeResult(check: CodeCheck): Parameters {
  return parameters({ name: 'result', valueBoolean: check.valid }, stringOut('message', check.message), stringOut('display', check.display));
}
