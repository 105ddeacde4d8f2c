/**
 * Reference rewriting for transaction Bundles (http.html#trules): entries identified by a
 * `urn:uuid:` / `urn:oid:` fullUrl get their server id first, then every `reference` that
 * names such a fullUrl (in the resource, its extensions and contained resources) becomes
 * `Type/id`, and links to it in the narrative are rewritten too. Conditional references
 * (`Patient?identifier=…`) are resolved by a caller-supplied lookup. Pure apart from that lookup.
 */
import type { BundleEntry } from '@medplum/fhirtypes';
import { errors } from '../outcomes';
import { newId } from '../../platform/ids';

const TEMPORARY = /^urn:(uuid|oid):/;
const CONDITIONAL = /^([A-Z][A-Za-z]+)\?(.+)$/;

/** fullUrl → `Type/id` for entries that create or update a resource under a temporary identity. */
export function assignIdentities(entries: readonly BundleEntry[]): Map<string, string> {
  const identities = new Map<string, string>();
  entries.forEach((entry, index) => {
    const fullUrl = entry.fullUrl;
    if (!fullUrl || !TEMPORARY.test(fullUrl) || !entry.resource) return;
    if (identities.has(fullUrl)) throw errors.invalid(`Entry ${index}: fullUrl ${fullUrl} is used twice`, `Bundle.entry[${index}].fullUrl`);
    const method = entry.request?.method;
    const type = entry.resource.resourceType;
    if (method === 'POST') identities.set(fullUrl, `${type}/${newId()}`);
    else if (method === 'PUT' && entry.request?.url && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(entry.request.url)) {
      identities.set(fullUrl, entry.request.url);
    }
  });
  return identities;
}

/** Every `reference` string in a resource (deep), with a setter to replace it. */
function* references(value: unknown): Generator<{ get(): string; set(next: string): void }> {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
    } else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      for (const [key, child] of Object.entries(record)) {
        if (key === 'reference' && typeof child === 'string') {
          yield { get: () => record.reference as string, set: (next) => (record.reference = next) };
        } else if (typeof child === 'object') {
          stack.push(child);
        }
      }
    }
  }
}

/** Rewrites temporary references in place; returns the conditional references still to resolve. */
export function rewriteTemporary(resource: Record<string, unknown>, identities: ReadonlyMap<string, string>): string[] {
  const conditional: string[] = [];
  // A Bundle stored as a resource (a document, a message) resolves its own urn:uuid references.
  const ownReferences = resource.resourceType === 'Bundle';
  for (const ref of references(resource)) {
    const target = identities.get(ref.get());
    if (target) ref.set(target);
    else if (CONDITIONAL.test(ref.get())) conditional.push(ref.get());
    // Stored as is, it would point nowhere, for good.
    else if (TEMPORARY.test(ref.get()) && !ownReferences) {
      throw errors.invalid(`Reference ${ref.get().slice(0, 100)} names no entry of this transaction that creates or updates a resource by id (a POST, or a PUT to Type/id)`);
    }
  }
  const text = resource.text as { div?: unknown } | undefined;
  if (text && typeof text.div === 'string' && identities.size > 0) {
    text.div = text.div.replace(/(href|src)="(urn:(?:uuid|oid):[^"]+)"/g, (whole, attr: string, url: string) => {
      const target = identities.get(url);
      return target ? `${attr}="${target}"` : whole;
    });
  }
  return conditional;
}

/** Replaces conditional references using resolved `Type?query` → `Type/id` pairs. */
export function rewriteConditional(resource: Record<string, unknown>, resolved: ReadonlyMap<string, string>): void {
  for (const ref of references(resource)) {
    const target = resolved.get(ref.get());
    if (target) ref.set(target);
  }
}

/** Splits `Patient?identifier=x` into its type and query string. */
export function parseConditionalReference(reference: string): { type: string; query: string } | undefined {
  const match = CONDITIONAL.exec(reference);
  return match ? { type: match[1]!, query: match[2]! } : undefined;
}
