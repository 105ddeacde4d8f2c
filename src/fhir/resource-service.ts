/**
 * The single path for reading and writing resources. Every create, update and
 * delete goes through here: base validation → (access, search-value extraction:
 * later issues) → store. Domain code uses this service, never the store directly.
 */
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { FhirStore, HistoryPage, HistoryQuery, MetaChange, StoredVersion, UpdateResult } from '../store/fhir-store';
import { applyMetaChange } from '../store/fhir-store';
import { StoreConflictError } from '../store/fhir-store';
import type { FhirDefinitions } from './definitions';
import type { SchemaValidator } from './validation/schema';
import { FhirError, errors } from './outcomes';
import { isValidId, newId } from '../platform/ids';
import { etag } from './rest/etag';
import { invalidPatchResult, unprocessablePatch } from './patch/errors';
import type { IndexValues } from '../store/fhir-store';
import { StoreBusyError, StoreQueryError } from '../store/fhir-store';
import type { ContainedPage, ContainedSearchQuery, SearchPage, SearchQuery } from '../store/fhir-store';
import type { Criterion } from '../store/search-criteria';
import type { ScopeAction } from '../auth/scopes';
import { currentAccess, noteRead, noteTouched } from '../auth/request-access';
import { hasResource } from '../store/version-text';
import type { Access } from '../auth/access';
import type { AccessGuard } from './access-guard';
import { forbidden } from './access-guard';

/** The search index of a resource (search/extract), stored with it by the store. */
export type SearchIndexer = (resource: Resource) => object;

/** Something that must follow writes of some resources (custom SearchParameters: search/custom-parameters.ts). */
export interface ResourceWatcher {
  /** Before a resource is stored: may refuse it (throws); returns how to take back its effect when the write then fails. */
  beforeWrite(resource: Resource): (() => void) | undefined;
  /** Whether deletes of this type concern the watcher (it is then told which resource went). */
  watches(type: string): boolean;
  deleted(resource: Resource): void;
}

export interface WriteOptions {
  ifMatch?: number;
  createOnly?: boolean;
  /** Byte size of the resource's JSON when known (the request body). */
  sizeHint?: number;
}

export interface PatchOptions {
  /** The client's If-Match: the version the patch was written against. */
  ifMatch?: number;
}

/** How often a patch without If-Match is re-read and re-applied after losing a race. */
const PATCH_ATTEMPTS = 16;

const pause = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(attempt, 8)));

/** A request with authentication on: the server writes the AuditEvents (with it off, it writes none). */
function auditedByServer(access: Access | undefined): boolean {
  return access !== undefined && access.mode !== 'open';
}

export class ResourceService {
  constructor(
    private readonly store: FhirStore,
    private readonly definitions: FhirDefinitions,
    private readonly schema: SchemaValidator,
    private readonly indexer?: SearchIndexer,
    private readonly watcher?: ResourceWatcher,
    /** Access checks of the calling request (none when absent, as for tools and the server's own work). */
    private readonly guard?: AccessGuard,
  ) {}

  /** Profile validation of written resources (set once the terminology service exists; see container.ts). */
  private profileCheck?: (resource: Resource) => Promise<OperationOutcomeIssue[]>;

  useProfileValidation(check: (resource: Resource) => Promise<OperationOutcomeIssue[]>): void {
    this.profileCheck = check;
  }

  /**
   * 422 when the resource fails a profile it claims (`meta.profile`, ours or stored) or one its type
   * requires (http.html: "violated applicable FHIR profiles"); warnings do not stop a write.
   */
  private async assertProfiles(resource: Resource): Promise<void> {
    if (!this.profileCheck) return;
    const issues = await this.profileCheck(resource);
    if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw new FhirError(issues, 422);
  }

  /** The caller's allowance for `action` on `type`: 403 when refused; undefined when nothing is checked. */
  private allow(type: string, action: ScopeAction) {
    return this.guard?.active ? this.guard.require(type, action) : undefined;
  }

  /** `criteria` narrowed to what the caller may see of `type`; undefined when it may see none. */
  private async narrow(type: string, criteria: Criterion[], action: ScopeAction): Promise<Criterion[] | undefined> {
    if (!this.guard?.active) return criteria;
    const decision = this.guard.decision(type, action);
    if (!decision.allowed) return undefined;
    return decision.limits.length > 0 ? [...criteria, ...(await this.guard.criteria(type, decision))] : criteria;
  }

  /**
   * 403 unless the caller may `action` the stored current version of type/id (only read when
   * limited, or when `note`: a delete's AuditEvent names the patient of what was deleted).
   */
  private async assertCurrentPermitted(type: string, id: string, action: ScopeAction, note = false): Promise<void> {
    const decision = this.allow(type, action);
    if (!decision || (decision.limits.length === 0 && !note)) return;
    const current = await this.store.read(type, id);
    if (!current?.resource) return;
    await this.guard!.assertPermits(type, current.resource, decision, true);
    if (note) noteTouched(type, [current.resource]);
  }

  /**
   * AuditEvents are a record of what happened: no request changes or removes one, not even an
   * admin's (`exists`: whether one is stored under the id; a PUT may create a new one), and with
   * authentication on only the server records them, so none can be forged.
   */
  private async assertMutable(type: string, id: string, exists?: boolean): Promise<void> {
    if (type !== 'AuditEvent' || currentAccess() === undefined) return;
    if (exists ?? (await this.store.read(type, id)) !== undefined) throw errors.notSupported('AuditEvent resources cannot be changed or deleted', 405);
    this.assertCreatable(type);
  }

  private assertCreatable(type: string): void {
    if (type === 'AuditEvent' && auditedByServer(currentAccess())) throw errors.notSupported('AuditEvents are recorded by the server itself; they cannot be created through the API', 405);
  }

  /** Runs a store write of `resource`, with the watcher told first and its effect taken back on failure. */
  private async watched<T>(resource: Resource, write: () => Promise<T>): Promise<T> {
    const undo = this.watcher?.beforeWrite(resource);
    try {
      return await write();
    } catch (err) {
      undo?.();
      throw err;
    }
  }

  /**
   * Values extracted at write time for matching and searching: the resource's own, and those of
   * each contained resource with an id, for its own type (`_contained`, search.html#contained).
   */
  indexValues(resource: Resource): IndexValues {
    const indexer = this.indexer;
    if (!indexer) return {};
    const values: IndexValues = { search: indexer(resource) };
    const contained = ((resource as { contained?: Resource[] }).contained ?? []).flatMap((inner) =>
      inner.id ? [{ resourceType: inner.resourceType, id: inner.id, search: indexer(inner) }] : [],
    );
    if (contained.length > 0) values.contained = contained;
    return values;
  }

  assertType(type: string): void {
    if (!this.definitions.isResourceType(type)) throw errors.notFound(`Unknown resource type '${type}'`);
  }

  assertId(id: string): void {
    if (!isValidId(id)) throw errors.invalid(`Invalid resource id '${id.slice(0, 80)}'`);
  }

  /** The current version; 404 when it never existed, 410 when deleted. */
  async read(type: string, id: string): Promise<StoredVersion & { resource: Resource }> {
    this.assertType(type);
    this.assertId(id);
    if (type === 'Binary' && this.guard?.active && !this.guard.decision(type, 'r').allowed) return this.readBinaryInContext(id);
    const decision = this.allow(type, 'r');
    const version = await this.store.read(type, id);
    if (!version) throw errors.notFound(`${type}/${id} is not known`);
    if (version.deleted || !hasResource(version)) {
      throw errors.gone(`${type}/${id} was deleted`, { ETag: etag(version.versionId) });
    }
    // Only a limited caller needs the resource parsed here (version-text.ts).
    if (decision && decision.limits.length > 0) await this.guard!.assertPermits(type, version.resource!, decision, true);
    noteRead(version as StoredVersion & { resource: Resource });
    return version as StoredVersion & { resource: Resource };
  }

  /**
   * A Binary the caller's role may not read directly is readable through its securityContext
   * (binary.html#security): whoever may read the resource it belongs to (a DocumentReference,
   * a clinical note) may read its content.
   */
  private async readBinaryInContext(id: string): Promise<StoredVersion & { resource: Resource }> {
    const version = await this.store.read('Binary', id);
    if (!version) throw errors.notFound(`Binary/${id} is not known`);
    if (version.deleted || !version.resource) throw errors.gone(`Binary/${id} was deleted`, { ETag: etag(version.versionId) });
    const context = (version.resource as { securityContext?: { reference?: string } }).securityContext?.reference;
    const [contextType, contextId, ...rest] = (context ?? '').split('/');
    if (!contextType || !contextId || rest.length > 0) throw forbidden('this Binary has no securityContext the caller may read');
    await this.read(contextType, contextId);
    noteTouched('Binary', [version.resource]);
    return version as StoredVersion & { resource: Resource };
  }

  async vread(type: string, id: string, versionId: string): Promise<StoredVersion & { resource: Resource }> {
    this.assertType(type);
    this.assertId(id);
    const decision = this.allow(type, 'r');
    const vid = Number(versionId);
    if (!/^[1-9]\d{0,9}$/.test(versionId)) throw errors.notFound(`${type}/${id} has no version '${versionId.slice(0, 20)}'`);
    const version = await this.store.vread(type, id, vid);
    if (!version) throw errors.notFound(`${type}/${id} has no version ${vid}`);
    if (version.deleted || !hasResource(version)) throw errors.gone(`Version ${vid} of ${type}/${id} is a deletion`);
    // The version must be permitted as it was, and the resource as it is now (it may have moved out of reach).
    if (decision && decision.limits.length > 0) {
      await this.guard!.assertPermits(type, version.resource!, decision, false);
      await this.assertCurrentPermitted(type, id, 'r');
    }
    noteRead(version as StoredVersion & { resource: Resource });
    return version as StoredVersion & { resource: Resource };
  }

  /** Base validation of a resource body for a write to `type` (and `id` for updates). */
  validate(body: unknown, type: string, id?: string): Resource {
    const issues: OperationOutcomeIssue[] = this.schema.validate(body);
    if (issues.length > 0) throw new FhirError(issues, 400);
    const resource = body as Resource;
    if (resource.resourceType !== type) {
      throw errors.invalid(
        `Resource type '${resource.resourceType}' in the body does not match '${type}' in the URL`,
        'resourceType',
      );
    }
    if (id !== undefined) {
      if (resource.id === undefined) throw errors.invalid(`The resource must carry id '${id}' for an update`, `${type}.id`);
      if (resource.id !== id) {
        throw errors.invalid(`Resource id '${resource.id}' in the body does not match '${id}' in the URL`, `${type}.id`);
      }
    }
    return resource;
  }

  /** validate(), and what only a resource to store must meet besides (stored-rules.ts: no empty elements, safe narratives). */
  private validateStored(body: unknown, type: string, id?: string): Resource {
    const resource = this.validate(body, type, id);
    const issues = this.schema.storedIssues?.(resource as unknown as Record<string, unknown>, type) ?? [];
    if (issues.length > 0) throw new FhirError(issues, 400);
    return resource;
  }

  async create(type: string, body: unknown, options: Pick<WriteOptions, 'sizeHint'> & { id?: string } = {}): Promise<StoredVersion> {
    this.assertType(type);
    this.assertCreatable(type);
    const resource = this.validateStored(body, type);
    // The server assigns the id of a created resource; a client id is ignored (http.html#create).
    // A transaction may have assigned it already, so references to the entry could be rewritten.
    await this.assertProfiles(resource);
    const id = options.id ?? newId();
    const decision = this.allow(type, 'c');
    if (decision) await this.guard!.assertPermits(type, { ...resource, id }, decision, false);
    noteTouched(type, [{ ...resource, id }]);
    try {
      const stored = { ...resource, id };
      return await this.watched(stored, () => this.store.create(stored, { sizeHint: options.sizeHint, index: this.indexValues(resource) }));
    } catch (err) {
      throw this.translate(err, type, id);
    }
  }

  /**
   * Stores new resources the server built itself (its AuditEvents, whose shape tests pin down):
   * without validation, access checks or watchers, in bulk, never inside the current request's
   * transaction. Each one's outcome is its own: an id stored already is a 412, as for create.
   */
  async createTrusted(entries: ReadonlyArray<{ resource: Resource & { id: string }; json?: string }>): Promise<Array<PromiseSettledResult<StoredVersion>>> {
    const results = await this.store.createMany(entries.map(({ resource, json }) => ({ resource, json, sizeHint: json?.length, index: this.indexValues(resource) })));
    return results.map((result, i) => {
      if (result.status === 'fulfilled') return result;
      const { resourceType, id } = entries[i]!.resource;
      return { status: 'rejected', reason: this.translate(result.reason, resourceType, id) };
    });
  }

  async update(type: string, id: string, body: unknown, options: WriteOptions = {}): Promise<UpdateResult> {
    this.assertType(type);
    this.assertId(id);
    const resource = this.validateStored(body, type, id) as Resource & { id: string };
    await this.assertProfiles(resource);
    await this.assertMutable(type, id);
    const decision = this.allow(type, 'u');
    if (decision && decision.limits.length > 0) {
      await this.assertCurrentPermitted(type, id, 'u');
      await this.guard!.assertPermits(type, resource, decision, false);
    }
    noteTouched(type, [resource]);
    try {
      return await this.watched(resource, () => this.store.update(resource, { ...options, index: this.indexValues(resource) }));
    } catch (err) {
      throw this.translate(err, type, id);
    }
  }

  /**
   * PATCH (http.html#patch): `change` gets a copy of the current resource and returns the patched
   * one, which goes through the normal write path (validation, a new version). The store update is
   * conditioned on the version that was read. With a client If-Match, that version must be the
   * current one (412 otherwise, before or during the write). Without one, losing a race to a
   * concurrent write re-reads and re-applies the patch, up to PATCH_ATTEMPTS times (then 409).
   * Nothing is stored when the patch or the validation fails. 404 unknown, 410 deleted.
   */
  async patch(type: string, id: string, change: (current: Resource) => unknown, options: PatchOptions = {}): Promise<StoredVersion> {
    this.assertType(type);
    this.assertId(id);
    await this.assertMutable(type, id, true);
    const decision = this.allow(type, 'u');
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(type, id);
      if (decision) await this.guard!.assertPermits(type, current.resource, decision, true);
      if (options.ifMatch !== undefined && current.versionId !== options.ifMatch) {
        throw errors.preconditionFailed(`${type}/${id}: version ${options.ifMatch} is not the current version (${current.versionId})`);
      }
      const resource = this.validatePatched(change(structuredClone(current.resource)), type, id);
      await this.assertProfiles(resource);
      if (decision) await this.guard!.assertPermits(type, resource, decision, false);
      noteTouched(type, [resource]);
      try {
        const index = this.indexValues(resource);
        return (await this.watched(resource, () => this.store.update(resource, { ifMatch: current.versionId, method: 'PATCH', index }))).version;
      } catch (err) {
        if (!(err instanceof StoreConflictError) || options.ifMatch !== undefined) throw this.translate(err, type, id);
        if (attempt >= PATCH_ATTEMPTS) {
          throw errors.conflict(`${type}/${id} changed concurrently ${attempt} times while being patched; try again`);
        }
        await pause(attempt);
      }
    }
  }

  /** The patched resource must keep its type and id and be valid; failures are 422 (errors.ts in patch/). */
  private validatePatched(patched: unknown, type: string, id: string): Resource & { id: string } {
    const body = patched as { resourceType?: unknown; id?: unknown } | null;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || body.resourceType !== type) {
      throw unprocessablePatch(`A patch may not change the resourceType of ${type}/${id}`, `${type}.resourceType`);
    }
    if (body.id !== id) throw unprocessablePatch(`A patch may not change or remove the id of ${type}/${id}`, `${type}.id`);
    try {
      return this.validateStored(body, type, id) as Resource & { id: string };
    } catch (err) {
      if (err instanceof FhirError && err.status === 400) throw invalidPatchResult(err.outcome.issue ?? []);
      throw err;
    }
  }

  async delete(type: string, id: string, options: { ifMatch?: number } = {}): Promise<StoredVersion | undefined> {
    this.assertType(type);
    this.assertId(id);
    await this.assertMutable(type, id, true);
    await this.assertCurrentPermitted(type, id, 'd', true);
    try {
      const previous = this.watcher?.watches(type) ? (await this.store.read(type, id))?.resource : undefined;
      const deleted = await this.store.delete(type, id, options);
      if (deleted && previous) this.watcher?.deleted(previous);
      return deleted;
    } catch (err) {
      throw this.translate(err, type, id);
    }
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    if (query.type) this.assertType(query.type);
    if (query.id) this.assertId(query.id);
    if (this.guard?.active) {
      if (query.type && query.id) {
        const decision = this.guard.require(query.type, 'r');
        if (decision.limits.length > 0) {
          const current = await this.store.read(query.type, query.id);
          if (!current?.resource) throw forbidden(`the history of ${query.type}/${query.id} is outside what this caller may reach`);
          await this.guard.assertPermits(query.type, current.resource, decision, true);
        }
      } else {
        for (const type of query.type ? [query.type] : this.definitions.resourceTypes) this.guard.requireUnlimited(type, 'r', 'History across resources');
      }
    }
    return this.store.history(query);
  }

  async changeMeta(type: string, id: string, versionId: number, change: MetaChange): Promise<StoredVersion> {
    await this.assertMutable(type, id, true);
    await this.assertCurrentPermitted(type, id, 'u');
    const version = await this.store.vread(type, id, versionId);
    if (!version?.resource) throw errors.notFound(`${type}/${id} has no version ${versionId}`);
    // New labels are checked like a write: a profile claimed must be met (422), a Coding be valid.
    const relabelled = this.validate(applyMetaChange(version.resource, change), type);
    await this.assertProfiles(relabelled);
    const changed = await this.store.changeMeta(type, id, versionId, change, (resource) => this.indexValues(resource));
    if (!changed) throw errors.notFound(`${type}/${id} has no version ${versionId}`);
    return changed;
  }

  /** Runs `fn` with all its writes applied together or not at all (see FhirStore.transaction). */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.store.transaction(fn);
    } catch (err) {
      // Writes sent in bulk at the end of the group fail outside any one interaction.
      if (err instanceof StoreConflictError) throw errors.conflict(`${err.message}; nothing was stored`);
      throw err;
    }
  }

  /** Whether the caller may search `type` at all (system search leaves out the types it may not). */
  maySearch(type: string): boolean {
    return !this.guard?.active || this.guard.decision(type, 's').allowed;
  }

  /** One page of search results (criteria already parsed and resolved: src/fhir/search). */
  async search(type: string, query: SearchQuery): Promise<SearchPage> {
    this.assertType(type);
    const decision = this.allow(type, 's');
    if (decision && decision.limits.length > 0) query = { ...query, criteria: [...query.criteria, ...(await this.guard!.criteria(type, decision))] };
    const page = await this.store.search(type, query).catch((err: unknown) => {
      if (err instanceof StoreQueryError) throw errors.invalid(err.message, '_page');
      throw err;
    });
    noteTouched(type, page.versions.flatMap((v) => (v.resource ? [v.resource] : [])));
    return page;
  }

  /** One page of contained resources of `type` matching already resolved criteria (`_contained`). */
  searchContained(type: string, query: ContainedSearchQuery): Promise<ContainedPage> {
    this.assertType(type);
    if (this.guard?.active) this.guard.requireUnlimited(type, 's', 'Searching contained resources');
    return this.store.searchContained(type, query).catch((err: unknown) => {
      if (err instanceof StoreQueryError) throw errors.invalid(err.message, '_page');
      throw err;
    });
  }

  /** Ids matching the criteria among what the caller may see (chains, _has, conditions). */
  async matchIds(type: string, criteria: Criterion[], limit: number): Promise<string[]> {
    this.assertType(type);
    const narrowed = await this.narrow(type, criteria, 's');
    return narrowed ? this.store.matchIds(type, narrowed, limit) : [];
  }

  async matchReferences(type: string, criteria: Criterion[], p: string, limit: number): Promise<string[]> {
    this.assertType(type);
    const narrowed = await this.narrow(type, criteria, 's');
    return narrowed ? this.store.matchReferences(type, narrowed, p, limit) : [];
  }

  /** Re-extracts and stores the search index of these current versions (no new versions): `$reindex`. */
  async reindex(type: string, versions: readonly StoredVersion[]): Promise<number> {
    if (this.guard?.active) this.guard.requireUnlimited(type, 'u', '$reindex');
    const entries = versions.flatMap((v) => (v.resource ? [{ id: v.id, versionId: v.versionId, index: this.indexValues(v.resource) }] : []));
    return entries.length > 0 ? this.store.rewriteIndex(type, entries) : 0;
  }

  /** Current resources matching the criteria, at most `limit` (for _include/_revinclude). */
  async readCurrent(type: string, criteria: Criterion[], limit: number): Promise<Resource[]> {
    if (!this.definitions.isResourceType(type)) return [];
    // Included resources the caller may not read are left out, not refused.
    const narrowed = await this.narrow(type, criteria, 'r');
    if (!narrowed) return [];
    const page = await this.store.search(type, { criteria: narrowed, sort: [], count: limit, total: false });
    const resources = page.versions.flatMap((version) => (version.resource ? [version.resource] : []));
    noteTouched(type, resources);
    return resources;
  }


  /** Runs `fn` exclusively for `key` across server processes; 409 when contention lasts too long. */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.store.exclusive(key, fn);
    } catch (err) {
      if (err instanceof StoreBusyError) throw errors.conflict(`${err.message}; try again`);
      throw err;
    }
  }

  metaInUse(types: readonly string[]) {
    if (this.guard?.active) for (const type of types) this.guard.requireUnlimited(type, 'r', '$meta across resources');
    return this.store.metaInUse(types);
  }

  private translate(err: unknown, type: string, id: string): unknown {
    if (!(err instanceof StoreConflictError)) return err;
    switch (err.reason) {
      case 'version-mismatch':
        return errors.preconditionFailed(`${type}/${id}: ${err.message}`);
      case 'exists':
        return errors.preconditionFailed(`${type}/${id} already exists`);
      case 'not-found':
        return errors.notFound(`${type}/${id} is not known`);
      case 'concurrent':
        return errors.conflict(`${type}/${id} was changed by a concurrent transaction; try again`);
    }
  }
}
