/**
 * $registry-statistics (profiles/OperationDefinition-registry-statistics.json): how many licenses
 * are active, by professional type and by state of practice, and how many are in each status.
 * Counted per license (a professional may hold several) from the licensed Practitioners, read in
 * pages through the search index. The figures are cached briefly per server, so an anonymous
 * caller cannot make the server recount the whole registry on every request.
 */
import type { Parameters, ParametersParameter, Practitioner } from '@medplum/fhirtypes';
import type { FhirContext } from '../../../fhir/interactions/context';
import type { OperationHandler } from '../../../fhir/operations/registry';
import { JURISDICTION_SYSTEM, LICENSE_STATUSES, PROFESSIONAL_TYPE_SYSTEM, today } from '../license';
import { practiceState, publicLicenses } from './public-view';
import { codingOf } from './reference-lists';
import { searchAsSystem } from './system-search';

export interface RegistryStatistics {
  /** Licenses valid today (active and in date). */
  active: number;
  byProfessionalType: Map<string, number>;
  byState: Map<string, number>;
  byStatus: Map<string, number>;
}

const PAGE = 500;
const CACHE_MS = 30_000;

function add(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function emptyStatistics(): RegistryStatistics {
  return { active: 0, byProfessionalType: new Map(), byState: new Map(), byStatus: new Map(LICENSE_STATUSES.map((s) => [s, 0])) };
}

/** Pure: adds these Practitioners' licenses on `day` to `stats`. */
export function countLicenses(practitioners: readonly Practitioner[], day: string, stats: RegistryStatistics = emptyStatistics()): RegistryStatistics {
  for (const practitioner of practitioners) {
    const state = practiceState(practitioner)?.code;
    for (const license of publicLicenses(practitioner, day)) {
      add(stats.byStatus, license.status);
      if (!license.valid) continue;
      stats.active++;
      if (license.professionalType.code) add(stats.byProfessionalType, license.professionalType.code);
      if (state) add(stats.byState, state);
    }
  }
  return stats;
}

/** Counts page by page, so memory stays one page whatever the size of the registry. */
async function countAll(ctx: FhirContext, day: string): Promise<RegistryStatistics> {
  const stats = emptyStatistics();
  let page: string | undefined;
  do {
    const result = await searchAsSystem<Practitioner>(ctx, 'Practitioner', { 'license-status:missing': ['false'] }, { count: PAGE, page });
    countLicenses(result.resources, day, stats);
    page = result.next;
  } while (page);
  return stats;
}

const cache = new WeakMap<FhirContext, { at: number; value: Promise<RegistryStatistics> }>();

export function registryStatistics(ctx: FhirContext, now = new Date()): Promise<RegistryStatistics> {
  const cached = cache.get(ctx);
  if (cached && now.getTime() - cached.at < CACHE_MS) return cached.value;
  const value = countAll(ctx, today(now));
  cache.set(ctx, { at: now.getTime(), value });
  value.catch(() => cache.delete(ctx));
  return value;
}

function sorted(map: Map<string, number>): Array<[string, number]> {
  return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
}

export function statisticsParameters(stats: RegistryStatistics): Parameters {
  const group = (name: string, key: ParametersParameter, count: number): ParametersParameter => ({ name, part: [key, { name: 'count', valueInteger: count }] });
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'active', valueInteger: stats.active },
      ...sorted(stats.byProfessionalType).map(([code, n]) => group('by-professional-type', { name: 'professional-type', valueCoding: codingOf(PROFESSIONAL_TYPE_SYSTEM, code) }, n)),
      ...sorted(stats.byState).map(([code, n]) => group('by-state', { name: 'state', valueCoding: codingOf(JURISDICTION_SYSTEM, code) }, n)),
      ...LICENSE_STATUSES.map((status) => group('by-status', { name: 'status', valueCode: status }, stats.byStatus.get(status) ?? 0)),
    ],
  };
}

export const registryStatisticsOperation: OperationHandler = async ({ ctx }) => statisticsParameters(await registryStatistics(ctx));
