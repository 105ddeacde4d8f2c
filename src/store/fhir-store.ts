/**
 * The persistence contract. Everything above the store speaks in resources and
 * integer versions; only the implementation knows about MongoDB.
 */
import type { Meta, Resource } from '@medplum/fhirtypes';
import type { Criterion, SortKey } from './search-criteria';

/** One version of a resource as stored: the resource has meta.versionId/lastUpdated filled in. */
export interface StoredVersion {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  /** The interaction that produced this version, for history bundles. */
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absent for a deletion version. */
  resource?: Resource;
}

/** Values extracted from a resource at write time, stored beside it for matching. */
export interface IndexValues {
  /**
   * The search index of the resource (src/fhir/search/extract/types.ts: `str`, `tok`, `ref`,
   * `date`, `num`, `qty`, `uri`, `comp` entries and `sort` keys), stored beside it as is.
   */
  search?: object;
  /** The index of each contained resource that has an id, extracted for its own type (search.html#contained). */
  contained?: ContainedIndex[];
}

/** The search index of one contained resource (its `contained` array entry). */
export interface ContainedIndex {
  resourceType: string;
  /** Its id inside the container. */
  id: string;
  search: object;
}

export interface SearchQuery {
  criteria: Criterion[];
  /** In order of precedence; the id always breaks ties. Empty: by id. */
  sort: SortKey[];
  count: number;
  /** Continue after this position (the `next` of an earlier page of the same search). */
  after?: string;
  /** Count all matches too. */
  total: boolean;
}

export interface SearchPage {
  versions: StoredVersion[];
  /** Opaque position after the last row, when more rows may follow. */
  next?: string;
  total?: number;
}

/** A search over contained resources of one type (`_contained`, search.html#contained); paged by `_id` only. */
export interface ContainedSearchQuery {
  criteria: Criterion[];
  /** `container`: a page row per container with matches (each container once); `contained`: one per matching contained resource. */
  unit: 'container' | 'contained';
  count: number;
  after?: string;
  total: boolean;
}

export interface ContainedMatch {
  /** The current version of the container (not deleted). */
  container: StoredVersion & { resource: Resource };
  /** The id of the matching contained resource (the first one, for `container` rows). */
  containedId: string;
}

export interface ContainedPage {
  matches: ContainedMatch[];
  next?: string;
  total?: number;
}

export interface SizeHint {
  /** Size of the resource's JSON when known (the request body); spares measuring it. */
  sizeHint?: number;
  index?: IndexValues;
}

/** A resource for createMany, with its index values and, when known, its JSON. */
export interface NewEntry extends SizeHint {
  resource: Resource & { id: string };
  json?: string;
}

export interface UpdateOptions extends SizeHint {
  /** Only update when the current version is this one (If-Match); no update-as-create. */
  ifMatch?: number;
  /** Only create; fail with a precondition error when the resource already exists (If-None-Match: *). */
  createOnly?: boolean;
  /** The interaction recorded in history (default PUT). */
  method?: 'PUT' | 'PATCH';
}

export interface UpdateResult {
  version: StoredVersion;
  /** True when no current (non-deleted) version existed before. */
  created: boolean;
}

export interface HistoryCursor {
  ts: Date;
  key: string;
}

export interface HistoryQuery {
  type?: string;
  id?: string;
  /** Only versions created at or after this instant. */
  since?: Date;
  /** Only versions that were current at some time in [start, end). */
  at?: { start: Date; end: Date };
  count: number;
  /** Continue after this position (newest first). */
  after?: HistoryCursor;
}

export interface HistoryPage {
  versions: StoredVersion[];
  /** Position of the last version on the page when more may follow. */
  next?: HistoryCursor;
  total?: number;
}

export type MetaChange = (meta: Meta) => Meta;

/**
 * `resource` with `change` applied to its labels: the server-owned versionId and lastUpdated are
 * left out, emptied lists dropped, and `meta` removed when nothing is left (no empty elements).
 */
export function applyMetaChange<T extends { meta?: Meta }>(resource: T, change: MetaChange): T {
  const { versionId: _v, lastUpdated: _l, ...labels } = change({ ...(resource.meta ?? {}) });
  const meta = Object.fromEntries(Object.entries(labels).filter(([, value]) => !(Array.isArray(value) && value.length === 0)));
  const changed = { ...resource };
  if (Object.keys(meta).length > 0) changed.meta = meta;
  else delete changed.meta;
  return changed;
}

/** Thrown by the store; the service turns these into FHIR errors. */
export class StoreConflictError extends Error {
  constructor(
    message: string,
    /** `concurrent`: another transaction changed the document first (MongoDB WriteConflict). */
    readonly reason: 'version-mismatch' | 'exists' | 'not-found' | 'concurrent',
    readonly currentVersion?: number,
  ) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/** A search the store cannot run as asked (a page position it did not issue). */
export class StoreQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreQueryError';
  }
}

/** An exclusive claim could not be had in time (heavy contention or a stuck holder). */
export class StoreBusyError extends Error {
  constructor(key: string) {
    super(`Could not get exclusive access to '${key}' in time`);
    this.name = 'StoreBusyError';
  }
}

export interface FhirStore {
  /** Whether multi-document transactions are available (detected at start). */
  readonly supportsTransactions: boolean;
  init(resourceTypes: readonly string[]): Promise<void>;
  close(): Promise<void>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;

  /** The current version, including a deletion marker; undefined when the id never existed. */
  read(type: string, id: string): Promise<StoredVersion | undefined>;
  vread(type: string, id: string, versionId: number): Promise<StoredVersion | undefined>;
  /** Stores version 1 of a new resource (its id already assigned). */
  create(resource: Resource & { id: string }, options?: SizeHint): Promise<StoredVersion>;
  /**
   * Stores version 1 of many new resources at once, never inside a transaction (the server's own
   * records, such as AuditEvents): one insert per resource type and one for their history. Each
   * resource's outcome is its own; an id stored already is a StoreConflictError ('exists').
   * `json`, when given, is the resource's JSON text (resourceType and id first, no versionId or
   * lastUpdated), stored as it is.
   */
  createMany(entries: ReadonlyArray<NewEntry>): Promise<Array<PromiseSettledResult<StoredVersion>>>;
  /** Stores a new version, creating the resource when allowed. */
  update(resource: Resource & { id: string }, options?: UpdateOptions): Promise<UpdateResult>;
  /** Marks the resource deleted with a new version; undefined when nothing current to delete. */
  delete(type: string, id: string, options?: { ifMatch?: number }): Promise<StoredVersion | undefined>;
  history(query: HistoryQuery): Promise<HistoryPage>;
  /**
   * Changes meta of one existing version in place, without a new version; when that version is
   * current, its search index is replaced by `index` of the changed resource (`_tag`, `_profile`…).
   */
  changeMeta(type: string, id: string, versionId: number, change: MetaChange, index?: (resource: Resource) => IndexValues): Promise<StoredVersion | undefined>;
  /** Profiles, tags and security labels in use, for a type or the whole system. */
  metaInUse(types: readonly string[]): Promise<Meta>;
  /**
   * Runs `fn` so that all store writes inside it happen together or not at all: a MongoDB
   * transaction where supported, else an undo journal (weaker isolation; see atomic.ts).
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** One page of the current resources of `type` matching every criterion. */
  search(type: string, query: SearchQuery): Promise<SearchPage>;
  /** One page of the contained resources of `type` (inside current resources of any type) matching every criterion. */
  searchContained(type: string, query: ContainedSearchQuery): Promise<ContainedPage>;
  /**
   * Replaces the stored index values of current versions without making new versions (reindexing);
   * an entry whose resource has moved on since `versionId` is skipped. Returns how many were rewritten.
   */
  rewriteIndex(type: string, entries: ReadonlyArray<{ id: string; versionId: number; index: IndexValues }>): Promise<number>;
  /** Ids of the current resources of `type` matching every criterion, at most `limit`. */
  matchIds(type: string, criteria: Criterion[], limit: number): Promise<string[]>;
  /** Distinct references (`Type/id` or URLs) that parameter `p` of the matching resources holds, at most `limit`. */
  matchReferences(type: string, criteria: Criterion[], p: string, limit: number): Promise<string[]>;
  /**
   * Runs `fn` while holding an exclusive claim on `key` across all server processes, so that
   * check-then-act sequences (conditional create) cannot interleave. Throws when the claim
   * cannot be had within a few seconds.
   */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Stores resources that are missing, as version 1 (used to seed conformance resources), with their index values. */
  seed(resources: ReadonlyArray<Resource & { id: string }>, index?: (resource: Resource) => IndexValues): Promise<number>;
}
