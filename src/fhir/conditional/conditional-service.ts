/**
 * Conditional create, update, delete and patch (http.html#ccreate, #cond-update, #cdelete,
 * #patch) with the 0 / 1 / many match rules of the specification. Conditions are searches, on
 * any search parameter. Create and update take an
 * exclusive claim on the condition, so concurrent requests with the same condition cannot
 * both see "no match" and both create. Requests whose different conditions match the same
 * resource are not serialised against each other.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { StoredVersion, UpdateResult } from '../../store/fhir-store';
import { FhirError, errors, issue } from '../outcomes';
import type { ResourceService } from '../resource-service';
import type { Condition } from './condition';
import type { ParseOptions } from '../search/parse';
import { parseSearch } from '../search/parse';
import type { Resolver } from '../search/resolve';
import { resolveFilters } from '../search/resolve';

export type ConditionalCreateResult = { created: true; version: StoredVersion } | { created: false; version: StoredVersion };

function multipleMatches(type: string, condition: Condition): FhirError {
  return new FhirError([issue('multiple-matches', `More than one ${type} matches '${condition.key}'`)], 412);
}

function claimKey(type: string, condition: Condition): string {
  return `${type}?${condition.key}`;
}

export class ConditionalService {
  constructor(
    private readonly resolver: Resolver & { source: ResourceService },
    private readonly baseUrl: string,
  ) {}

  private get service(): ResourceService {
    return this.resolver.source;
  }

  /** Ids of the current resources matching the condition, at most `limit` (strict parsing: 400 on unknown parameters). */
  async matchIds(type: string, condition: Condition, limit: number): Promise<string[]> {
    this.service.assertType(type);
    const options: ParseOptions = { baseUrl: this.baseUrl, defaultCount: limit, maxCount: limit, strict: true };
    const request = parseSearch(this.resolver.registry, type, condition.query, options);
    if (request.filters.length === 0) throw errors.invalid(`The condition '${condition.key.slice(0, 80)}' has no search criterion`);
    if (request.contained !== 'false') throw errors.invalid('A condition matches top-level resources only: _contained is not supported here', '_contained');
    const criteria = await resolveFilters(this.resolver, request.filters, options, request.ignored);
    return this.service.matchIds(type, criteria, limit);
  }

  private matches(type: string, condition: Condition, limit: number): Promise<string[]> {
    return this.matchIds(type, condition, limit);
  }

  async create(type: string, body: unknown, condition: Condition, sizeHint?: number, id?: string): Promise<ConditionalCreateResult> {
    this.service.assertType(type);
    return this.service.exclusive(claimKey(type, condition), async () => {
      const ids = await this.matches(type, condition, 2);
      if (ids.length > 1) throw multipleMatches(type, condition);
      if (ids.length === 1) return { created: false, version: await this.service.read(type, ids[0]!) };
      return { created: true, version: await this.service.create(type, body, { sizeHint, id }) };
    });
  }

  async update(type: string, condition: Condition, body: unknown, options: { ifMatch?: number; sizeHint?: number }): Promise<UpdateResult> {
    this.service.assertType(type);
    const bodyId = (body as Resource | null)?.id;
    return this.service.exclusive(claimKey(type, condition), async () => {
      const ids = await this.matches(type, condition, 2);
      if (ids.length > 1) throw multipleMatches(type, condition);
      if (ids.length === 1) {
        const id = ids[0]!;
        if (bodyId !== undefined && bodyId !== id) {
          throw errors.invalid(`Resource id '${bodyId}' differs from the matching ${type}/${id}`, `${type}.id`);
        }
        return this.service.update(type, id, { ...(body as object), id }, options);
      }
      // No match: with a client id it is update-as-create, otherwise a plain create.
      if (bodyId !== undefined) return this.service.update(type, bodyId, body, { ...options, createOnly: true });
      return { created: true, version: await this.service.create(type, body, { sizeHint: options.sizeHint }) };
    });
  }

  /** Deletes what matches; several matches need `multiple` (else 412) and at most `max` of them. */
  async delete(type: string, condition: Condition, multiple: boolean, max: number): Promise<StoredVersion[]> {
    this.service.assertType(type);
    const ids = await this.matches(type, condition, multiple ? max + 1 : 2);
    if (ids.length > 1 && !multiple) throw multipleMatches(type, condition);
    if (ids.length > max) {
      throw new FhirError([issue('too-costly', `More than ${max} ${type} resources match '${condition.key}'`)], 412);
    }
    const deleted: StoredVersion[] = [];
    for (const id of ids) {
      const version = await this.service.delete(type, id);
      if (version) deleted.push(version);
    }
    return deleted;
  }

  async patch(type: string, condition: Condition, change: (current: Resource) => unknown, options: { ifMatch?: number }): Promise<StoredVersion> {
    this.service.assertType(type);
    const ids = await this.matches(type, condition, 2);
    if (ids.length === 0) throw errors.notFound(`No ${type} matches '${condition.key}'`);
    if (ids.length > 1) throw multipleMatches(type, condition);
    return this.service.patch(type, ids[0]!, change, options);
  }
}
