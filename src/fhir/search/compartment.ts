/**
 * Compartment search (`GET Patient/123/Observation?…`, http.html#vsearch): the R4
 * CompartmentDefinitions say which reference parameters of each type place a resource in a
 * compartment; a resource belongs when any of them refers to the compartment's owner (and the
 * owner belongs to its own compartment).
 */
import type { CompartmentDefinition } from '@medplum/fhirtypes';
import type { Criterion } from '../../store/search-criteria';
import { errors } from '../outcomes';

export function compartmentCriterion(definitions: readonly CompartmentDefinition[], owner: { type: string; id: string }, type: string): Criterion {
  const definition = definitions.find((d) => d.code === owner.type);
  if (!definition) throw errors.notFound(`There is no ${owner.type} compartment (compartments: ${definitions.map((d) => d.code).join(', ')})`);
  const params = (definition.resource ?? []).find((r) => r.code === type)?.param ?? [];
  const of: Criterion[] = params.map((p) => ({ index: 'ref', p, values: [{ r: `${owner.type}/${owner.id}` }] }));
  if (type === owner.type) of.push({ index: 'id', ids: [owner.id] });
  if (of.length === 0) throw errors.invalid(`${type} resources are not part of the ${owner.type} compartment`);
  return { index: 'any', of };
}
