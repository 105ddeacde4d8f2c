/**
 * Finds CodeSystems, ValueSets and ConceptMaps by canonical URL (`url` or `url|version`): those
 * stored on this server first, then ours from `terminology/`, then the R4 core ones. Indexed
 * CodeSystems are cached per stored version (a version never changes), so a hierarchy is built
 * once, not per request. What a canonical URL resolves to is remembered for a few seconds (a
 * validation asks for the same ValueSets and CodeSystems again and again); a write of a
 * CodeSystem, ValueSet or ConceptMap through this process forgets it at once (`changed()`), and
 * other processes' writes are seen within RESOLUTION_CACHE_MS.
 */
import type { CodeSystem, ConceptMap, Resource, ValueSet } from '@medplum/fhirtypes';
import type { Criterion } from '../store/search-criteria';
import { CodeSystemIndex } from './code-system-index';
import type { TerminologyType } from './core-terminology';
import { coreTerminology } from './core-terminology';
import type { LocalTerminology } from './local-terminology';

/** What the resolver reads stored resources with (ResourceService implements it). */
export interface TerminologySource {
  readCurrent(type: string, criteria: Criterion[], limit: number): Promise<Resource[]>;
}

const MAX_CACHED = 200;
export const RESOLUTION_CACHE_MS = 5_000;

/** `url|version` → its parts. */
export function splitCanonical(canonical: string): { url: string; version?: string } {
  const bar = canonical.indexOf('|');
  return bar < 0 ? { url: canonical } : { url: canonical.slice(0, bar), version: canonical.slice(bar + 1) || undefined };
}

type Found = { resource: CodeSystem | ValueSet | ConceptMap; stored: boolean } | undefined;

export class TerminologyResolver {
  private readonly indexes = new Map<string, CodeSystemIndex>();
  private readonly resolved = new Map<string, { at: number; found: Promise<Found> }>();
  /** Bumped by every terminology write this process sees: caches built before it are stale. */
  generation = 0;

  constructor(
    private readonly source: TerminologySource,
    /** Ours (`terminology/`), between the stored and the core resources. */
    private readonly local?: LocalTerminology,
  ) {}

  async codeSystem(canonical: string, version?: string): Promise<CodeSystemIndex | undefined> {
    const found = await this.find('CodeSystem', canonical, version);
    if (!found) return undefined;
    const key = found.stored ? `${found.resource.url} ${found.resource.id}/${found.resource.meta?.versionId}` : `builtin ${found.resource.url}`;
    let index = this.indexes.get(key);
    if (!index) {
      index = new CodeSystemIndex(found.resource);
      if (this.indexes.size >= MAX_CACHED) this.indexes.delete(this.indexes.keys().next().value!);
      this.indexes.set(key, index);
    }
    return index;
  }

  async valueSet(canonical: string, version?: string): Promise<ValueSet | undefined> {
    return (await this.find('ValueSet', canonical, version))?.resource;
  }

  async conceptMap(canonical: string, version?: string): Promise<ConceptMap | undefined> {
    return (await this.find('ConceptMap', canonical, version))?.resource;
  }

  /** A CodeSystem, ValueSet or ConceptMap was written or deleted: forget what was resolved. */
  changed(): void {
    this.generation++;
    this.resolved.clear();
  }

  /** Every stored ConceptMap (at most `limit`), for $translate without a map URL. */
  async storedConceptMaps(limit: number): Promise<ConceptMap[]> {
    return (await this.source.readCurrent('ConceptMap', [], limit)) as ConceptMap[];
  }

  private find<T extends TerminologyType>(
    type: T,
    canonical: string,
    explicitVersion: string | undefined,
  ): Promise<{ resource: Extract<CodeSystem | ValueSet | ConceptMap, { resourceType: T }>; stored: boolean } | undefined> {
    const key = `${type} ${canonical} ${explicitVersion ?? ''}`;
    const now = Date.now();
    let entry = this.resolved.get(key);
    if (!entry || now - entry.at > RESOLUTION_CACHE_MS) {
      const found = this.lookUp(type, canonical, explicitVersion);
      entry = { at: now, found };
      if (this.resolved.size >= MAX_CACHED * 5) this.resolved.delete(this.resolved.keys().next().value!);
      this.resolved.set(key, entry);
      // A failed look-up (store unreachable) is not remembered.
      found.catch(() => this.resolved.get(key) === entry && this.resolved.delete(key));
    }
    return entry.found as Promise<{ resource: Extract<CodeSystem | ValueSet | ConceptMap, { resourceType: T }>; stored: boolean } | undefined>;
  }

  private async lookUp<T extends TerminologyType>(
    type: T,
    canonical: string,
    explicitVersion: string | undefined,
  ): Promise<{ resource: Extract<CodeSystem | ValueSet | ConceptMap, { resourceType: T }>; stored: boolean } | undefined> {
    const { url, version: canonicalVersion } = splitCanonical(canonical);
    const version = explicitVersion ?? canonicalVersion;
    if (url === '') return undefined;
    type R = Extract<CodeSystem | ValueSet | ConceptMap, { resourceType: T }>;
    const stored = ((await this.source.readCurrent(type, [{ index: 'uri', p: 'url', match: 'eq', values: [url] }], 50)) as R[]).filter(
      (r) => !(r.resourceType === 'CodeSystem' && (r as CodeSystem).content === 'supplement'),
    );
    const match = version === undefined ? newest(stored) : stored.find((r) => r.version === version);
    if (match) return { resource: match, stored: true };
    const ours = this.local?.find(type, url) as R | undefined;
    if (ours && (version === undefined || ours.version === version)) return { resource: ours, stored: false };
    const core = coreTerminology(type, url) as R | undefined;
    if (core && (version === undefined || core.version === version)) return { resource: core, stored: false };
    return undefined;
  }
}

/** Without a version asked for, the most recently written. */
function newest<T extends Resource>(resources: T[]): T | undefined {
  let best: T | undefined;
  for (const r of resources) if (!best || (r.meta?.lastUpdated ?? '') > (best.meta?.lastUpdated ?? '')) best = r;
  return best;
}
