/**
 * The registry's reference lists (professional types, specialisations, license statuses, states)
 * with their display names, read from our terminology/ files: the public views show names, not
 * bare codes, and the search form offers them as choices.
 */
import type { CodeSystem, Coding } from '@medplum/fhirtypes';
import { localTerminology } from '../../../terminology/local-terminology';
import { JURISDICTION_SYSTEM, PROFESSIONAL_TYPE_SYSTEM, SPECIALTY_SYSTEM } from '../license';

export const LICENSE_STATUS_SYSTEM = 'https://baobab.health/fhir/CodeSystem/license-status';

export interface Choice {
  code: string;
  display: string;
}

const cache = new Map<string, Choice[]>();

function choicesOf(system: string): Choice[] {
  let choices = cache.get(system);
  if (!choices) {
    const codeSystem: CodeSystem | undefined = localTerminology().find('CodeSystem', system);
    choices = (codeSystem?.concept ?? []).flatMap((c) => (c.code ? [{ code: c.code, display: c.display ?? c.code }] : []));
    cache.set(system, choices);
  }
  return choices;
}

export const professionalTypes = (): Choice[] => choicesOf(PROFESSIONAL_TYPE_SYSTEM);
export const specialties = (): Choice[] => choicesOf(SPECIALTY_SYSTEM);
export const licenseStatuses = (): Choice[] => choicesOf(LICENSE_STATUS_SYSTEM);
export const states = (): Choice[] => choicesOf(JURISDICTION_SYSTEM);

/** A Coding with the display our terminology gives the code (none when it is not known). */
export function codingOf(system: string, code: string): Coding {
  const display = choicesOf(system).find((c) => c.code === code)?.display;
  return { system, code, ...(display ? { display } : {}) };
}
