/**
 * `_contained` and `_containedType` (search.html#contained). `_contained=false` (the default)
 * searches top-level resources only; `true` searches the contained resources of the searched type
 * (inside resources of any type) with the searched type's parameters; `both` does both, top-level
 * resources first. `_containedType=container` (the default) returns the container of each match,
 * `contained` the contained resource itself. Chains, `_has`, includes, sorts, `_id` and
 * `_lastUpdated` are not evaluated on contained resources, so combined with `_contained` they are
 * refused (400) rather than answered wrongly.
 */
import { errors } from '../outcomes';
import type { SearchRequest } from './parse';

export type ContainedMode = 'false' | 'true' | 'both';
export type ContainedType = 'container' | 'contained';

/** The values of `_contained` and `_containedType`, as given once each (or absent). */
export function parseContained(contained = 'false', containedType = 'container'): { contained: ContainedMode; containedType: ContainedType } {
  if (contained !== 'false' && contained !== 'true' && contained !== 'both') throw errors.invalid('_contained is false, true or both', '_contained');
  if (containedType !== 'container' && containedType !== 'contained') {
    throw errors.invalid('_containedType is container or contained', '_containedType');
  }
  return { contained, containedType };
}

const notOnContained = (name: string) => errors.invalid(`${name} cannot be combined with _contained=true or both: contained resources are not searched that way`, name);

/** Refuses what a search of contained resources does not evaluate. */
export function assertContainedSearchable(request: SearchRequest): void {
  if (request.contained === 'false') return;
  for (const filter of request.filters) {
    if (filter.kind !== 'criterion') throw notOnContained(filter.name.slice(0, 80));
    // They compile to a current document's own `_id` and `ts`, which contained entries do not have.
    if (filter.criterion.index === 'id') throw notOnContained('_id');
    if (filter.criterion.index === 'lastUpdated') throw notOnContained('_lastUpdated');
  }
  if (request.include.length > 0) throw notOnContained('_include');
  if (request.revinclude.length > 0) throw notOnContained('_revinclude');
  if (request.sort.length > 0) throw notOnContained('_sort');
}
