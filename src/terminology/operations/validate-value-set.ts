/**
 * ValueSet/$validate-code (valueset-operation-validate-code): whether a code is in a ValueSet.
 * A code is a member when the set lists it or includes its whole system; when we hold that
 * system completely the code must also exist in it. Systems we do not hold (LOINC, SNOMED CT)
 * are included on trust: the answer says the code itself was not checked.
 */
import type { Coding, Parameters, ValueSet } from '@medplum/fhirtypes';
import type { OperationInvocation } from '../../fhir/operations/registry';
import { errors } from '../../fhir/outcomes';
import type { CodeSet } from '../expand';
import type { Terminology } from '../terminology';
import type { CodeCheck } from './code-check';
import { checkDisplay, checkInCodeSystem, checkUcumCode, clip, firstValid, validateCodeResult } from './code-check';
import { codingsFrom, param, stringParam, subject } from './inputs';
import { UCUM_SYSTEM } from './ucum';
import { checkExternalFormat } from '../external-systems';

export interface CodingCheckContext {
  terminology: Terminology;
  set: CodeSet;
  name: string;
  abstractOk: boolean;
}

/** One coding against an expanded ValueSet (also used by profile binding checks). */
export async function checkCoding(ctx: CodingCheckContext, coding: Coding): Promise<CodeCheck> {
  const { set, name } = ctx;
  const code = coding.code!;
  const system = coding.system;
  if (!system) return { valid: false, message: `The code '${clip(code)}' has no system, so it cannot be checked against the value set ${name}` };
  const cs = system === UCUM_SYSTEM ? undefined : await ctx.terminology.resolver.codeSystem(system, coding.version);
  // Case-insensitive code systems: the set lists the code as the CodeSystem spells it.
  const member = set.concepts.get(`${system}|${cs?.get(code)?.code ?? code}`);
  if (!member && !set.wholeSystems.has(system)) {
    return { valid: false, message: `The code '${clip(code)}' of '${clip(system)}' is not in the value set ${name}` };
  }
  if (member?.abstract && !ctx.abstractOk) {
    return { valid: false, message: `The code '${clip(code)}' is abstract in the value set ${name}; abstract codes are valid only with abstract=true` };
  }
  const listed = member?.display ? [member.display] : [];
  if (system === UCUM_SYSTEM) {
    const ucum = checkUcumCode(code);
    return ucum.valid ? { valid: true, display: member?.display ?? ucum.display! } : ucum;
  }
  if (cs && (cs.complete || cs.get(code))) return checkInCodeSystem(cs, code, coding.display, ctx.abstractOk, listed);
  const format = checkExternalFormat(system, code);
  if (format && !format.valid) return { valid: false, message: format.message };
  const check = checkDisplay(code, system, member?.display, listed, coding.display);
  if (member) return check;
  const note = `The code system '${clip(system)}' is not loaded on this server in full; the code '${clip(code)}' was accepted without checking that it exists`;
  return { ...check, message: check.message ? `${check.message}. ${note}` : note };
}

export async function validateValueSetCode(invocation: OperationInvocation): Promise<Parameters> {
  if (invocation.params.has('context')) throw errors.notSupported("$validate-code parameter 'context' is not supported; give the ValueSet", 400);
  if (invocation.params.has('code') && !invocation.params.has('system')) throw errors.invalid("Parameter 'code' needs 'system'", 'system');
  const codings = codingsFrom(invocation, { code: 'code', system: 'system', version: 'systemVersion', display: 'display', coding: 'coding', codeableConcept: 'codeableConcept' });
  const terminology = invocation.ctx.terminology;
  const version = stringParam(invocation, 'valueSetVersion');
  const vs = await subject<ValueSet>(invocation, 'ValueSet', 'valueSet', (url) => terminology.resolver.valueSet(url, version));
  if (!vs) throw errors.invalid("$validate-code needs the ValueSet: 'url', 'valueSet', or a ValueSet instance");
  const set = await terminology.expander.expand(vs, vs.url ? [vs.url] : []);
  const label = vs.url ?? vs.name ?? vs.id;
  const name = label ? `'${clip(label)}'` : 'given in the request';
  const ctx: CodingCheckContext = { terminology, set, name, abstractOk: param<boolean>(invocation, 'abstract') === true };
  const checks: CodeCheck[] = [];
  for (const coding of codings) checks.push(await checkCoding(ctx, coding));
  return validateCodeResult(firstValid(checks));
}
