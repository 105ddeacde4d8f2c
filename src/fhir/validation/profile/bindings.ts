/**
 * Binding checks (terminologies.html#strength): `required` → error, `extensible` → warning when
 * no coding is in the ValueSet. Codes are checked with the terminology core's ValueSet
 * membership (the same check as ValueSet/$validate-code). A ValueSet this server cannot evaluate
 * (unknown, or filters over systems it does not hold such as SNOMED CT) is skipped silently.
 */
import type { Coding, CodeableConcept, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../../outcomes';
import type { CodeSet } from '../../../terminology/expand';
import type { Terminology } from '../../../terminology/terminology';
import type { CodeCheck } from '../../../terminology/operations/code-check';
import { checkCoding } from '../../../terminology/operations/validate-value-set';
import type { BindingCheck } from './walk';

type SetCache = Map<string, Promise<CodeSet | null>>;

function expanded(terminology: Terminology, cache: SetCache, canonical: string): Promise<CodeSet | null> {
  let set = cache.get(canonical);
  if (!set) {
    set = terminology.expander.expandShared(canonical).catch(() => null);
    cache.set(canonical, set);
  }
  return set;
}

/** A bare `code`: in the set under any system; undefined when that cannot be decided. */
async function checkBareCode(terminology: Terminology, set: CodeSet, code: string): Promise<boolean | undefined> {
  for (const concept of set.concepts.values()) if (concept.code === code) return true;
  let decided = set.wholeSystems.size === 0;
  for (const system of set.wholeSystems.keys()) {
    const cs = await terminology.resolver.codeSystem(system);
    if (cs?.get(code)) return true;
    if (cs?.complete) decided = true;
    else return undefined;
  }
  return decided ? false : undefined;
}

function codingsOf(check: BindingCheck): Coding[] | undefined {
  const { value, type } = check.item;
  if (type === 'Coding') return [value as Coding];
  if (type === 'CodeableConcept') return (value as CodeableConcept).coding ?? [];
  return undefined;
}

async function failure(terminology: Terminology, set: CodeSet, check: BindingCheck, name: string): Promise<string | undefined> {
  const { value, type } = check.item;
  if (type === 'code') {
    if (typeof value !== 'string') return undefined;
    const found = await checkBareCode(terminology, set, value);
    return found === false ? `The value '${value.slice(0, 80)}' is not in the value set ${name}` : undefined;
  }
  const codings = (codingsOf(check) ?? []).filter((c) => typeof c.code === 'string');
  if (codings.length === 0) return undefined;
  const results: CodeCheck[] = [];
  for (const coding of codings) {
    try {
      results.push(await checkCoding({ terminology, set, name, abstractOk: false }, coding));
    } catch {
      return undefined;
    }
  }
  if (results.some((r) => r.valid)) return undefined;
  return results[0]?.message ?? `No code in the value set ${name}`;
}

export async function checkBindings(checks: readonly BindingCheck[], terminology: Terminology): Promise<OperationOutcomeIssue[]> {
  const issues: OperationOutcomeIssue[] = [];
  const cache: SetCache = new Map();
  for (const check of checks) {
    const { binding, item } = check;
    if (item.type !== 'code' && item.type !== 'Coding' && item.type !== 'CodeableConcept') continue;
    const set = await expanded(terminology, cache, binding.valueSet);
    if (!set) continue;
    const name = `'${binding.valueSet.replace(/\|.*$/, '').slice(0, 120)}'`;
    const message = await failure(terminology, set, check, name);
    if (!message) continue;
    const required = binding.strength === 'required';
    const text = required ? `${message} (required binding)` : `${message} (extensible binding: a code from the value set should be used when one applies)`;
    issues.push(issue('code-invalid', text, item.expression, required ? 'error' : 'warning'));
  }
  return issues;
}
