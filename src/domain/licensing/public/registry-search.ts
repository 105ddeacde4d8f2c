/**
 * $registry-search (profiles/OperationDefinition-registry-search.json): a searchset Bundle whose
 * entries are public views (Parameters, public-parameters.ts), sorted by family name and paged
 * with the store's keyset cursor: `self`, `first` and `next` links carry an opaque `_page`, and
 * `total` counts the matching professionals. (No `previous`: a keyset cursor only moves forward.)
 */
import type { Bundle, BundleLink, Practitioner } from '@medplum/fhirtypes';
import type { FhirContext } from '../../../fhir/interactions/context';
import type { OperationHandler } from '../../../fhir/operations/registry';
import { errors } from '../../../fhir/outcomes';
import { integerParam, stringParam } from './operation-input';
import type { PublicRecord } from './public-view';
import { recordParameters } from './public-parameters';
import type { RegistrySearchInput } from './registry-query';
import { pageSize, registryQuery } from './registry-query';
import { publicRecords } from './registry-records';
import { searchAsSystem } from './system-search';

export interface RegistryPage {
  records: PublicRecord[];
  total: number;
  /** Position of the next page, when there is one. */
  next?: string;
}

const MAX_PAGE_TOKEN = 2000;

export async function searchRegistry(ctx: FhirContext, input: RegistrySearchInput, options: { count?: number; page?: string } = {}): Promise<RegistryPage> {
  const query = registryQuery(input);
  const count = pageSize(options.count);
  if (options.page !== undefined && (options.page.length === 0 || options.page.length > MAX_PAGE_TOKEN)) throw errors.invalid('_page is not a position this server gave', '_page');
  if (!query) return { records: [], total: 0 };
  const page = await searchAsSystem<Practitioner>(ctx, 'Practitioner', query, { count, page: options.page, total: true, sort: 'family' });
  return { records: await publicRecords(ctx, page.resources), total: page.total ?? page.resources.length, ...(page.next ? { next: page.next } : {}) };
}

export const SEARCH_INPUTS = ['name', 'license-number', 'professional-type', 'specialization', 'state', 'status'] as const;

function link(ctx: FhirContext, relation: string, values: ReadonlyArray<[string, string]>, count: number, page?: string): BundleLink {
  const params = new URLSearchParams([...values, ['_count', String(count)]]);
  if (page) params.append('_page', page);
  return { relation, url: `${ctx.config.baseUrl}/Practitioner/$registry-search?${params.toString()}` };
}

export const registrySearchOperation: OperationHandler = async ({ ctx, params }): Promise<Bundle> => {
  const values: Array<[string, string]> = [];
  for (const name of SEARCH_INPUTS) {
    const value = stringParam(params, name);
    if (value) values.push([name, value]);
  }
  const get = (name: string) => values.find(([n]) => n === name)?.[1];
  const input: RegistrySearchInput = {
    name: get('name'),
    licenseNumber: get('license-number'),
    professionalType: get('professional-type'),
    specialization: get('specialization'),
    state: get('state'),
    status: get('status'),
  };
  const count = pageSize(integerParam(params, '_count'));
  const pagePosition = stringParam(params, '_page');
  const result = await searchRegistry(ctx, input, { count, page: pagePosition });
  const links = [link(ctx, 'self', values, count, pagePosition), link(ctx, 'first', values, count)];
  if (result.next) links.push(link(ctx, 'next', values, count, result.next));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: result.total,
    link: links,
    ...(result.records.length > 0 ? { entry: result.records.map((record) => ({ resource: recordParameters(record), search: { mode: 'match' as const } })) } : {}),
  };
};
