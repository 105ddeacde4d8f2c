/**
 * Bundle rules of bundle.html that no R4 invariant expresses, as the reference validator applies
 * them: a `fullUrl` is absolute, and when it is a RESTful URL it ends with the entry's type and
 * id; each link relation appears once; search results carry ids.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../../outcomes';

interface EntryLike {
  fullUrl?: unknown;
  resource?: { resourceType?: unknown; id?: unknown };
  search?: { mode?: unknown };
}

/** Any URI with a scheme (`urn:uuid:…`, `http://…`; the reference validator accepts any scheme). */
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;
const RESTFUL = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

export function bundleIssues(bundle: Record<string, unknown>, expression: string): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const entries = Array.isArray(bundle.entry) ? (bundle.entry as EntryLike[]) : [];
  entries.forEach((entry, i) => {
    const at = `${expression}.entry[${i}]`;
    const { fullUrl, resource } = entry;
    if (typeof fullUrl === 'string') {
      if (!ABSOLUTE.test(fullUrl)) {
        issues.push(issue('invalid', `The fullUrl must be an absolute URL (not '${fullUrl.slice(0, 120)}')`, `${at}.fullUrl`));
      } else if (/^https?:/.test(fullUrl) && resource && typeof resource.resourceType === 'string') {
        const rest = RESTFUL.exec(fullUrl);
        if (rest && (rest[1] !== resource.resourceType || (resource.id !== undefined && rest[2] !== resource.id))) {
          issues.push(issue('invalid', `The fullUrl '${fullUrl.slice(0, 120)}' looks like a RESTful server URL, so it must end with the type and id of the resource (${resource.resourceType}/${String(resource.id)})`, `${at}.fullUrl`));
        }
      }
    }
    if (bundle.type === 'searchset' && resource && entry.search?.mode !== 'outcome' && resource.resourceType !== 'OperationOutcome' && resource.id === undefined) {
      issues.push(issue('required', 'Search results must have ids', `${at}.resource`));
    }
    if (entry.search?.mode === 'outcome' && resource && resource.resourceType !== 'OperationOutcome') {
      issues.push(issue('invalid', `An entry with search.mode 'outcome' must be an OperationOutcome, not ${String(resource.resourceType)}`, `${at}.resource`));
    }
  });
  const seen = new Set<string>();
  const links = Array.isArray(bundle.link) ? (bundle.link as { relation?: unknown }[]) : [];
  links.forEach((link, i) => {
    if (typeof link.relation !== 'string') return;
    if (seen.has(link.relation)) issues.push(issue('invalid', `The link relationship type '${link.relation}' can only occur once`, `${expression}.link[${i}]`));
    seen.add(link.relation);
  });
  return issues;
}
