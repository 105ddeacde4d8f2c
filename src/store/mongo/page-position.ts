/**
 * Page positions as clients carry them: a list of key values as EJSON (so Dates, MaxKey and
 * MinKey survive), base64url-encoded. Decoding only parses; each search checks the shape and
 * that every value is a plain key before it goes near a query (no operators can come in).
 */
import { BSON } from 'mongodb';

export function encodePosition(values: readonly unknown[]): string {
  return Buffer.from(BSON.EJSON.stringify(values, { relaxed: false })).toString('base64url');
}

/** The decoded list, or undefined when the text is not one. */
export function decodePosition(text: string): unknown[] | undefined {
  try {
    const decoded: unknown = BSON.EJSON.parse(Buffer.from(text, 'base64url').toString('utf8'), { relaxed: true });
    return Array.isArray(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}
