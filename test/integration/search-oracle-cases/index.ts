/**
 * The queries of search-oracle.test.ts, by category, chosen from the data (Synthea and the
 * spec examples) so that most find something. `{{Type?query}}` stands for the id of the
 * resource that query finds (the first by id): Synthea resources get server-assigned ids.
 * A query without `_count` is paged in about six pages; one with `_count` pages as written.
 * `+` is written `%2B`: in a query string a plain `+` means a space.
 */
import { COMBINATION_CASES } from './combinations';
import { RANGE_CASES } from './ranges';
import { TEXT_CASES } from './text';

export { KNOWN_SERVER_BUGS } from './combinations';

export const ORACLE_CASES: Record<string, string[]> = { ...TEXT_CASES, ...RANGE_CASES, ...COMBINATION_CASES };
