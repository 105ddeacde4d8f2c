/**
 * References between the entries of a Bundle (bundle.html#references): a relative `Type/id`
 * that several entries match (versions of one resource) is ambiguous, and a versioned
 * `Type/id/_history/v` must find that version when the Bundle holds the resource (errors). A
 * `urn:uuid:`/`urn:oid:` reference no entry carries is a warning only, as in the reference
 * validator's default policy (the receiver may resolve it).
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../../outcomes';

interface Target {
  readonly fullUrl?: string;
  readonly key?: string; // Type/id
  readonly versionId?: string;
}

interface EntryLike {
  fullUrl?: unknown;
  resource?: { resourceType?: unknown; id?: unknown; meta?: { versionId?: unknown } };
}

/** Every `reference` string under `value` (Reference datatypes, not inside contained resources), with its FHIRPath location. */
export function references(value: unknown, path: string, out: { reference: string; path: string }[], depth = 0): void {
  if (typeof value !== 'object' || value === null || depth > 40) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => references(item, `${path}[${i}]`, out, depth + 1));
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === 'reference' && typeof child === 'string') out.push({ reference: child, path });
    else if (key !== 'contained') references(child, `${path}.${key}`, out, depth + 1);
  }
}

function targets(entries: readonly EntryLike[]): Target[] {
  return entries.map((e) => {
    const r = e.resource;
    const key = r && typeof r.resourceType === 'string' && typeof r.id === 'string' ? `${r.resourceType}/${r.id}` : undefined;
    const versionId = typeof r?.meta?.versionId === 'string' ? r.meta.versionId : undefined;
    return { ...(typeof e.fullUrl === 'string' ? { fullUrl: e.fullUrl } : {}), ...(key ? { key } : {}), ...(versionId ? { versionId } : {}) };
  });
}

function problem(reference: string, all: readonly Target[]): { text: string; warning?: true } | undefined {
  if (/^urn:(uuid|oid):/.test(reference)) {
    return all.some((t) => t.fullUrl === reference) ? undefined : { text: `Can't find '${reference.slice(0, 120)}' in the bundle`, warning: true };
  }
  const match = /^([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/.exec(reference);
  if (!match) return undefined;
  const [, key, version] = match;
  const same = all.filter((t) => t.key === key || t.fullUrl?.endsWith(`/${key}`));
  if (version !== undefined) {
    if (same.length === 0 || same.some((t) => t.versionId === version)) return undefined;
    return { text: `Can't find '${reference.slice(0, 120)}' in the bundle: it holds ${key} but not that version` };
  }
  return same.length > 1 ? { text: `Multiple matches in bundle for reference ${reference.slice(0, 120)}` } : undefined;
}

export function bundleReferenceIssues(bundle: Record<string, unknown>, expression: string): OperationOutcomeIssue[] {
  const entries = Array.isArray(bundle.entry) ? (bundle.entry as EntryLike[]) : [];
  const all = targets(entries);
  const issues: OperationOutcomeIssue[] = [];
  entries.forEach((entry, i) => {
    if (!entry.resource) return;
    const refs: { reference: string; path: string }[] = [];
    const type = typeof entry.resource.resourceType === 'string' ? entry.resource.resourceType : 'Resource';
    references(entry.resource, `${expression}.entry[${i}].resource.ofType(${type})`, refs);
    for (const { reference, path } of refs) {
      const found = problem(reference, all);
      if (found) issues.push(issue('not-found', found.text, path, found.warning ? 'warning' : 'error'));
    }
  });
  return issues;
}
