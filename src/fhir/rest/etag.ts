import { errors } from '../outcomes';

/** Weak ETags carry the integer version: W/"3". */
export function etag(versionId: number | string): string {
  return `W/"${versionId}"`;
}

/** The If-Match header as a version; undefined when absent, 400 when malformed. */
export function ifMatchVersion(headers: Record<string, string | undefined>): number | undefined {
  const header = headers['if-match'];
  if (header === undefined) return undefined;
  const version = parseETag(header);
  if (version === undefined) throw errors.invalid(`If-Match must be an ETag such as W/"1" (got '${header.slice(0, 40)}')`);
  return version;
}

/** Parses `W/"3"`, `"3"` or `3` into a version number; undefined when malformed. */
export function parseETag(value: string): number | undefined {
  const match = /^\s*(?:W\/)?"?(\d{1,10})"?\s*$/.exec(value);
  if (!match) return undefined;
  const n = Number(match[1]);
  return n > 0 ? n : undefined;
}
