/** Weak ETags carry the integer version: W/"3". */
export function etag(versionId: number | string): string {
  return `W/"${versionId}"`;
}

/** Parses `W/"3"`, `"3"` or `3` into a version number; undefined when malformed. */
export function parseETag(value: string): number | undefined {
  const match = /^\s*(?:W\/)?"?(\d{1,10})"?\s*$/.exec(value);
  if (!match) return undefined;
  const n = Number(match[1]);
  return n > 0 ? n : undefined;
}
