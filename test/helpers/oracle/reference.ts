/**
 * reference matching (search.html#reference): a reference value is `Type/id`, a bare `id`, an
 * absolute URL (this server's own base URL stands for a relative reference), or a canonical
 * `url[|version]`; `:Type` restricts the type; `:identifier` matches Reference.identifier.
 */
import { tokenMatches } from './text';
import type { TypedValue } from './values';

type Json = Record<string, unknown>;

export interface Target {
  /** `Type/id` for a reference to a resource on this server, else the URL as written. */
  key: string;
  type?: string;
  id?: string;
  /** The version of a canonical reference (`url|version`). */
  version?: string;
}

const LOCAL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]+)?$/;

/** A reference string as the resource it designates; undefined for a contained `#id`. */
export function parseReference(reference: string, baseUrl: string): Target | undefined {
  if (reference === '' || reference.startsWith('#')) return undefined;
  const relative = reference.startsWith(`${baseUrl}/`) ? reference.slice(baseUrl.length + 1) : reference;
  const local = LOCAL.exec(relative);
  if (local) return { key: `${local[1]}/${local[2]}`, type: local[1]!, id: local[2]! };
  const bar = reference.indexOf('|');
  if (bar >= 0) return { key: reference.slice(0, bar), version: reference.slice(bar + 1) };
  // An absolute URL to a resource elsewhere: its type and id still say what it points at.
  const remote = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return remote ? { key: reference, type: remote[1]!, id: remote[2]! } : { key: reference };
}

/** What one value of a reference parameter points at: a Reference's literal, or a canonical. */
export function referenceTargets(value: TypedValue, baseUrl: string): Target[] {
  if (typeof value.data === 'string') {
    const target = parseReference(value.data, baseUrl);
    return target ? [target] : [];
  }
  if (value.type !== 'Reference' || typeof value.data !== 'object' || value.data === null) return [];
  const reference = (value.data as Json).reference;
  const target = typeof reference === 'string' ? parseReference(reference, baseUrl) : undefined;
  return target ? [target] : [];
}

export function referenceMatches(values: TypedValue[], search: string, modifier: string | undefined, baseUrl: string): boolean {
  if (modifier === 'identifier') {
    const identifiers = values
      .filter((v) => v.type === 'Reference' && typeof (v.data as Json).identifier === 'object')
      .map((v) => ({ type: 'Identifier', data: (v.data as Json).identifier, node: undefined, resource: v.resource }));
    return tokenMatches(identifiers, search, undefined);
  }
  const targets = values.flatMap((v) => referenceTargets(v, baseUrl));
  if (modifier !== undefined) return targets.some((t) => t.key === `${modifier}/${search}`);
  if (!search.includes('/')) return targets.some((t) => t.id === search && t.key === `${t.type}/${t.id}`);
  const wanted = parseReference(search, baseUrl);
  if (!wanted) return false;
  return targets.some((t) => t.key === wanted.key && (wanted.version === undefined || t.version === wanted.version));
}
