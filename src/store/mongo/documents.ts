/**
 * Shapes of the MongoDB documents and their conversion to FHIR resources.
 * The stored resource omits meta.versionId and meta.lastUpdated: the server owns
 * them as `vid` and `ts`, and they are put back when a version is read.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Binary } from 'mongodb';
import type { Meta, Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../fhir-store';
import { withLazyResource } from '../version-text';

/**
 * A resource body is kept inline as `resource`, its JSON text, or, when larger than this,
 * gzip-compressed as `z`: MongoDB documents are limited to 16 MB and some legitimate resources
 * (the spec's own definition Bundles) are bigger. Text rather than a BSON object because nothing
 * queries inside it (searches use the extracted index): a string costs the driver and the
 * database a fraction of a nested document to encode and decode (measured: +30 % creates per
 * second on mongo-java-server), and `JSON.parse` reads it faster than BSON. Documents written
 * before keep `resource` as an object, which is read as it is.
 */
export const INLINE_LIMIT_BYTES = 12 * 1024 * 1024;

/** meta.profile, meta.tag and meta.security of the body, kept beside its text for `$meta` (meta-in-use.ts). */
export interface StoredLabels {
  profile?: unknown[];
  tag?: unknown[];
  security?: unknown[];
}

export interface StoredBody {
  resource?: string | Record<string, unknown>;
  z?: Binary;
  labels?: StoredLabels;
}

/** UTF-8 takes at most 3 bytes per UTF-16 code unit: text this short is surely inline. */
const SURELY_INLINE_CHARS = Math.floor(INLINE_LIMIT_BYTES / 3);

/** `json`: the body's JSON text when the caller has it already. */
export function packBody(body: Record<string, unknown>, json = JSON.stringify(body)): StoredBody {
  const inline = json.length <= SURELY_INLINE_CHARS || Buffer.byteLength(json) <= INLINE_LIMIT_BYTES;
  const packed: StoredBody = inline ? { resource: json } : { z: new Binary(gzipSync(json)) };
  const labels = labelsOf(body.meta as Meta | undefined);
  if (labels) packed.labels = labels;
  return packed;
}

function labelsOf(meta: Meta | undefined): StoredLabels | undefined {
  if (!meta || (meta.profile === undefined && meta.tag === undefined && meta.security === undefined)) return undefined;
  const labels: StoredLabels = {};
  if (meta.profile !== undefined) labels.profile = meta.profile;
  if (meta.tag !== undefined) labels.tag = meta.tag;
  if (meta.security !== undefined) labels.security = meta.security;
  return labels;
}

export function unpackBody(stored: StoredBody): Record<string, unknown> | undefined {
  if (typeof stored.resource === 'string') return JSON.parse(stored.resource) as Record<string, unknown>;
  if (stored.resource) return stored.resource;
  if (stored.z) return JSON.parse(gunzipSync(stored.z.buffer).toString('utf8')) as Record<string, unknown>;
  return undefined;
}

/** `$set`/`$unset` that store a packed body, clearing the other representation and absent labels. */
export function bodyUpdate(packed: StoredBody): { set: StoredBody; unset: Record<string, ''> } {
  const set: StoredBody = packed.resource !== undefined ? { resource: packed.resource } : { z: packed.z };
  const unset: Record<string, ''> = packed.resource !== undefined ? { z: '' } : { resource: '' };
  if (packed.labels) set.labels = packed.labels;
  else unset.labels = '';
  return { set, unset };
}

/** Current version of a resource, in the collection named after its type. */
export interface CurrentDoc extends StoredBody {
  _id: string;
  vid: number;
  ts: Date;
  deleted: boolean;
  method: StoredVersion['method'];
  /** How many of its contained resources the `contained` collection indexes (contained.ts); absent when none. */
  cn?: number;
}

/** One version, in the shared `history` collection; `_id` is `Type/id/vid`. */
export interface HistoryDoc extends StoredBody {
  _id: string;
  t: string;
  i: string;
  v: number;
  ts: Date;
  deleted: boolean;
  method: StoredVersion['method'];
}

export const HISTORY_COLLECTION = 'history';

/** The index of contained resources (contained.ts). */
export const CONTAINED_COLLECTION = 'contained';

/** The search index fields of a current document (see IndexValues.search). */
export const SEARCH_FIELDS = ['str', 'tok', 'ref', 'date', 'num', 'qty', 'uri', 'comp', 'sort'] as const;

/** Leaves the search index out of documents read for their resource: it can be larger than the body. */
export const WITHOUT_SEARCH_INDEX: Record<string, 0> = Object.fromEntries([...SEARCH_FIELDS].map((field) => [field, 0]));

/** The search index as document fields: those present to `$set`, the others to `$unset`. */
export function searchFields(search: object | undefined): { set: Record<string, unknown>; unset: Record<string, ''> } {
  const index = (search ?? {}) as Record<string, unknown>;
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  for (const field of SEARCH_FIELDS) {
    if (index[field] !== undefined) set[field] = index[field];
    else unset[field] = '';
  }
  return { set, unset };
}

export function historyKey(type: string, id: string, vid: number): string {
  return `${type}/${id}/${vid}`;
}

/**
 * The resource body as stored: without server-owned meta fields, and with resourceType, id and
 * meta first, the order reads answer in, so a read can send the stored text (versionedJson).
 */
export function toStoredBody(resource: Resource): Record<string, unknown> {
  const { resourceType, id, meta, ...rest } = resource as Resource & { meta?: Meta };
  if (meta) {
    const { versionId: _v, lastUpdated: _l, ...kept } = meta;
    if (Object.keys(kept).length > 0) return { resourceType, id, meta: kept, ...rest };
  }
  return { resourceType, id, ...rest };
}

/** How toStoredBody's text of a resource begins. */
function storedTextHead(type: string, id: string): string {
  return `{"resourceType":"${type}","id":"${id}"`;
}

/** Whether `json` of `resource` is its stored body's text: no server-owned meta, and resourceType and id first. */
export function isStoredForm(resource: Resource & { id: string }, json: string): boolean {
  return resource.meta?.versionId === undefined && resource.meta?.lastUpdated === undefined && json.startsWith(storedTextHead(resource.resourceType, resource.id));
}

/**
 * The JSON of version `vid` (at `ts`) from a body stored as text by toStoredBody: the text with
 * meta.versionId and meta.lastUpdated spliced in, exactly what JSON.stringify(materialize(…))
 * gives. Undefined for text that does not start as toStoredBody writes it, or has a meta further
 * on (text written before toStoredBody ordered bodies; contained resources' meta also send such
 * text the long way). Types and ids are plain (letters, digits, `-` and `.`), so their JSON is
 * their text.
 */
export function versionedJson(text: string, type: string, id: string, vid: number, ts: Date): string | undefined {
  const head = storedTextHead(type, id);
  if (!text.startsWith(head)) return undefined;
  const server = `"versionId":"${vid}","lastUpdated":"${ts.toISOString()}"`;
  const next = text[head.length];
  if (next === '}') return `${head},"meta":{${server}}}`;
  if (next !== ',') return undefined;
  if (!text.startsWith(',"meta":{', head.length)) {
    return text.includes('"meta":', head.length) ? undefined : `${head},"meta":{${server}}${text.slice(head.length)}`;
  }
  const metaBody = head.length + ',"meta":{'.length;
  return text[metaBody] === '}' ? undefined : `${head},"meta":{${server},${text.slice(metaBody)}`;
}

/** Puts versionId and lastUpdated back, with resourceType, id and meta first. */
export function materialize(body: Record<string, unknown>, vid: number, ts: Date): Resource {
  const { resourceType, id, meta, ...rest } = body;
  return {
    resourceType,
    id,
    meta: { versionId: String(vid), lastUpdated: ts.toISOString(), ...(meta as Meta | undefined) },
    ...rest,
  } as unknown as Resource;
}

/** `body`: the stored body when the caller has it already (a write), so its text is not parsed back. */
export function fromCurrent(type: string, doc: CurrentDoc, body?: Record<string, unknown>): StoredVersion {
  return toVersion({ resourceType: type, id: doc._id, versionId: doc.vid, lastUpdated: doc.ts, deleted: doc.deleted, method: doc.method }, doc, body);
}

export function fromHistory(doc: HistoryDoc, body?: Record<string, unknown>): StoredVersion {
  return toVersion({ resourceType: doc.t, id: doc.i, versionId: doc.v, lastUpdated: doc.ts, deleted: doc.deleted, method: doc.method }, doc, body);
}

/** With its resource: the known body, or the stored text parsed when first used (version-text.ts). */
function toVersion(version: Omit<StoredVersion, 'resource'>, stored: StoredBody, known?: Record<string, unknown>): StoredVersion {
  if (version.deleted) return { ...version, resource: undefined };
  if (!known && typeof stored.resource === 'string') {
    const json = versionedJson(stored.resource, version.resourceType, version.id, version.versionId, version.lastUpdated);
    if (json !== undefined) return withLazyResource(version, json);
  }
  const body = known ?? unpackBody(stored);
  return { ...version, resource: body ? materialize(body, version.versionId, version.lastUpdated) : undefined };
}

/** The history entry of a version (deletions keep no body). */
export function historyEntry(type: string, doc: CurrentDoc): HistoryDoc {
  const entry: HistoryDoc = {
    _id: historyKey(type, doc._id, doc.vid),
    t: type,
    i: doc._id,
    v: doc.vid,
    ts: doc.ts,
    deleted: doc.deleted,
    method: doc.method,
  };
  if (!doc.deleted) {
    if (doc.resource !== undefined) entry.resource = doc.resource;
    else if (doc.z) entry.z = doc.z;
  }
  return entry;
}
