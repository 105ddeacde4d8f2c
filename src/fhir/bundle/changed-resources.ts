/**
 * No two entries of a transaction may change the same resource, counting what conditional
 * updates, patches and deletes resolve to (http.html#trules, "If any resource identities …
 * overlap in steps 1-3, then the transaction SHALL fail"): the second such entry fails the
 * transaction with 400 (as an entry failure: transaction.ts names the entry), and the store
 * takes back what the first did.
 */
import type { FhirContext } from '../interactions/context';
import { parseCondition } from '../conditional/condition';
import { FhirError, issue } from '../outcomes';
import type { FhirRequest, FhirResponse } from '../rest/types';

/** Enough to find an overlap: a conditional delete of more is refused or capped by the delete itself. */
const MAX_CONDITIONAL_DELETES = 100;

/** Whether the entry is a create, update, patch or delete (steps 1-3), not a read or an operation. */
function isChange(request: FhirRequest): boolean {
  const [type, id, ...rest] = request.segments;
  if (!type || rest.length > 0 || (id !== undefined && /^[$_]/.test(id))) return false;
  if (request.method === 'POST') return id === undefined;
  return request.method === 'PUT' || request.method === 'PATCH' || request.method === 'DELETE';
}

/** `Type/id` out of a Location (`…/Patient/1/_history/2`). */
function fromLocation(location: string | undefined): string | undefined {
  const match = location ? /([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})\/_history\/[^/]+$/.exec(location) : null;
  return match ? `${match[1]}/${match[2]}` : undefined;
}

export class ChangedResources {
  /** `Type/id` → the index of the entry that changed it. */
  private readonly changed = new Map<string, number>();

  constructor(private readonly ctx: FhirContext) {}

  /** Before an entry runs: what its URL names, and a conditional delete's targets (its response does not name them). */
  async beforeEntry(request: FhirRequest, index: number): Promise<void> {
    if (!isChange(request)) return;
    const [type, id] = request.segments as [string, string | undefined];
    if (id !== undefined) return this.note(`${type}/${id}`, index);
    if (request.method !== 'DELETE') return;
    const ids = await this.ctx.conditional.matchIds(type, parseCondition(request.query), MAX_CONDITIONAL_DELETES);
    for (const match of ids) this.note(`${type}/${match}`, index);
  }

  /** After an entry succeeded: the resource a create or a conditional update or patch changed. */
  afterEntry(request: FhirRequest, response: FhirResponse, index: number): void {
    if (!isChange(request) || request.segments[1] !== undefined || request.method === 'DELETE') return;
    const type = request.segments[0]!;
    const resource = response.resource;
    const own = resource && resource.resourceType === type && resource.id !== undefined ? `${type}/${resource.id}` : undefined;
    const identity = fromLocation(response.headers?.Location) ?? own;
    if (identity) this.note(identity, index);
  }

  private note(identity: string, index: number): void {
    const earlier = this.changed.get(identity);
    if (earlier !== undefined && earlier !== index) {
      const [first, second] = [Math.min(earlier, index), Math.max(earlier, index)];
      throw new FhirError([issue('invalid', `entries ${first} and ${second} both change ${identity}; a transaction may change a resource only once`, `Bundle.entry[${index}]`)], 400);
    }
    this.changed.set(identity, index);
  }
}
