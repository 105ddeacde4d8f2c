/**
 * CodeSystem/$validate-code (codesystem-operation-validate-code): whether a code, Coding or
 * CodeableConcept is valid in one CodeSystem. 200 with `result` whether valid or not; a
 * CodeSystem that cannot be found at all is a 404, like an unknown instance.
 */
import type { CodeSystem, Coding, Parameters } from '@medplum/fhirtypes';
import type { OperationInvocation } from '../../fhir/operations/registry';
import { errors } from '../../fhir/outcomes';
import { CodeSystemIndex } from '../code-system-index';
import type { CodeCheck } from './code-check';
import { checkInCodeSystem, checkUcumCode, clip, firstValid, validateCodeResult } from './code-check';
import { codingsFrom, param, stringParam, subject } from './inputs';
import { UCUM_SYSTEM } from './ucum';
import { checkExternalFormat, correctSystem, isExternalSystem } from '../external-systems';

/** What a code is checked against: a CodeSystem we hold, or UCUM's grammar. */
interface Checker {
  url: string;
  check(code: string, display: string | undefined, abstractOk: boolean): CodeCheck;
}

function indexChecker(cs: CodeSystemIndex): Checker {
  return { url: cs.url, check: (code, display, abstractOk) => checkInCodeSystem(cs, code, display, abstractOk) };
}

const ucumChecker: Checker = { url: UCUM_SYSTEM, check: (code) => checkUcumCode(code) };

function externalCheck(system: string, code: string): CodeCheck {
  const format = checkExternalFormat(system, code)!;
  if (!format.valid) return { valid: false, message: format.message };
  return { valid: true, message: `The code '${clip(code)}' has the form of a code of '${clip(system)}'; this server holds no copy of that code system, so whether the code exists was not checked` };
}

/** The CodeSystem: the instance, `codeSystem`, `url`, or else the one system the codings name. */
async function checkerFor(invocation: OperationInvocation, codings: readonly Coding[]): Promise<Checker | CodeCheck> {
  if (invocation.level === 'instance' || invocation.params.has('codeSystem')) {
    const cs = await subject<CodeSystem>(invocation, 'CodeSystem', 'codeSystem', () => Promise.resolve(undefined));
    return indexChecker(new CodeSystemIndex(cs!));
  }
  const systems = new Set(codings.flatMap((c) => (c.system ? [c.system] : [])));
  const url = stringParam(invocation, 'url') ?? (systems.size === 1 ? [...systems][0]! : undefined);
  if (url === undefined) throw errors.invalid("$validate-code needs the CodeSystem: 'url', 'codeSystem', or a CodeSystem instance");
  const version = stringParam(invocation, 'version');
  const { resolver } = invocation.ctx.terminology;
  const cs = await resolver.codeSystem(url, version);
  // LOINC, SNOMED CT, ICD-10, RxNorm: a complete loaded copy decides; otherwise their format does.
  if (cs && (cs.complete || !isExternalSystem(url))) return indexChecker(cs);
  if (url === UCUM_SYSTEM) return ucumChecker;
  if (isExternalSystem(url) || correctSystem(url)) return { url, check: (code) => externalCheck(url, code) };
  if (version !== undefined && (await resolver.codeSystem(url))) {
    return { valid: false, message: `Version '${clip(version)}' of the CodeSystem '${clip(url)}' is not known to this server` };
  }
  throw errors.notFound(`CodeSystem '${clip(url)}' is not known to this server`);
}

export async function validateCodeSystemCode(invocation: OperationInvocation): Promise<Parameters> {
  // A `code` given with `url` is in that system; on an instance, in the instance.
  const url = invocation.level === 'instance' ? undefined : stringParam(invocation, 'url');
  const codings = codingsFrom(invocation, { code: 'code', display: 'display', coding: 'coding', codeableConcept: 'codeableConcept' }, url);
  const checker = await checkerFor(invocation, codings);
  if (!('check' in checker)) return validateCodeResult(checker);
  const abstractOk = param<boolean>(invocation, 'abstract') === true;
  const checks = codings.map((coding): CodeCheck => {
    if (coding.system !== undefined && coding.system !== checker.url) {
      return { valid: false, message: `The coding's system '${clip(coding.system)}' is not the CodeSystem '${clip(checker.url)}'` };
    }
    return checker.check(coding.code!, coding.display, abstractOk);
  });
  return validateCodeResult(firstValid(checks));
}
