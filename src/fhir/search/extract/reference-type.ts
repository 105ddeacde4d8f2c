/**
 * Literal references as FHIR writes them: `Patient/1`, `Patient/1/_history/2`, or the same
 * under any base URL. Search extraction cannot `resolve()`, so `where(resolve() is Patient)`
 * keeps the references whose literal names a Patient (or, with no parseable literal, whose
 * `type` says Patient).
 */

/** `[base/]Type/id[/_history/vid]`, with FHIR's id syntax. */
const LITERAL_REFERENCE = /^(?:(.*)\/)?([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

export interface ParsedReference {
  /** The base URL in front of `Type/id`, when absolute. */
  base?: string;
  type: string;
  id: string;
  version?: string;
}

export function parseLiteralReference(reference: string): ParsedReference | undefined {
  const m = LITERAL_REFERENCE.exec(reference);
  if (!m) return undefined;
  const [, base, type, id, version] = m;
  return { type: type!, id: id!, ...(base !== undefined ? { base } : {}), ...(version !== undefined ? { version } : {}) };
}

/** The resource type a Reference points at, when its literal or `type` says so. */
export function referenceType(ref: unknown): string | undefined {
  if (typeof ref !== 'object' || ref === null) return undefined;
  const { reference, type } = ref as { reference?: unknown; type?: unknown };
  if (typeof reference === 'string') {
    const parsed = parseLiteralReference(reference);
    if (parsed) return parsed.type;
  }
  return typeof type === 'string' ? type : undefined;
}

export function referenceHasType(ref: unknown, type: string): boolean {
  return referenceType(ref) === type;
}

/**
 * The FHIRPath equivalent of `where(resolve() is T)` under these rules, for fhirpath.js
 * (which cannot resolve synchronously): used by the fallback evaluator and the tests' oracle.
 */
export function resolveIsAsFhirPath(type: string): string {
  const literal = "'^(.*/)?[A-Z][A-Za-z]{1,63}/[-A-Za-z0-9.]{1,64}(/_history/[-A-Za-z0-9.]{1,64})?$'";
  const typed = `'^(.*/)?${type}/[-A-Za-z0-9.]{1,64}(/_history/[-A-Za-z0-9.]{1,64})?$'`;
  return `where(iif(reference.matches(${literal}), reference.matches(${typed}), type = '${type}'))`;
}
