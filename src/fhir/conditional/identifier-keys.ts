/**
 * Identifier token keys stored with each current version, so conditional interactions can
 * match `identifier` without scanning resources (see tokenKey in condition.ts for the format).
 * Superseded by the general search index of the search issue.
 */
import type { Identifier } from '@medplum/fhirtypes';

export function identifierKeys(resource: { identifier?: unknown }): string[] {
  const raw = resource.identifier;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Identifier[];
  const keys = new Set<string>();
  for (const identifier of list) {
    if (!identifier || typeof identifier.value !== 'string') continue;
    const system = typeof identifier.system === 'string' ? identifier.system : '';
    keys.add(`${system}|${identifier.value}`);
    keys.add(`*|${identifier.value}`);
    if (system) keys.add(`${system}|*`);
  }
  return [...keys];
}
