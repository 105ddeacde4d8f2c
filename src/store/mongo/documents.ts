/**
 * Shapes of the MongoDB documents and their conversion to FHIR resources.
 * The stored resource omits meta.versionId and meta.lastUpdated: the server owns
 * them as `vid` and `ts`, and they are put back when a version is read.
 */
import type { Meta, Resource } from '@medplum/fhirtypes';
import type { StoredVersion } from '../fhir-store';

/** Current version of a resource, in the collection named after its type. */
export interface CurrentDoc {
  _id: string;
  vid: number;
  ts: Date;
  deleted: boolean;
  method: StoredVersion['method'];
  resource: Record<string, unknown>;
}

/** One version, in the shared `history` collection; `_id` is `Type/id/vid`. */
export interface HistoryDoc {
  _id: string;
  t: string;
  i: string;
  v: number;
  ts: Date;
  deleted: boolean;
  method: StoredVersion['method'];
  resource?: Record<string, unknown>;
}

export const HISTORY_COLLECTION = 'history';

export function historyKey(type: string, id: string, vid: number): string {
  return `${type}/${id}/${vid}`;
}

/** The resource body as stored: without server-owned meta fields. */
export function toStoredBody(resource: Resource): Record<string, unknown> {
  const body = { ...(resource as unknown as Record<string, unknown>) };
  const meta = body.meta as Meta | undefined;
  if (meta) {
    const { versionId: _v, lastUpdated: _l, ...rest } = meta;
    if (Object.keys(rest).length > 0) body.meta = rest;
    else delete body.meta;
  }
  return body;
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

export function fromCurrent(type: string, doc: CurrentDoc): StoredVersion {
  return {
    resourceType: type,
    id: doc._id,
    versionId: doc.vid,
    lastUpdated: doc.ts,
    deleted: doc.deleted,
    method: doc.method,
    resource: doc.deleted ? undefined : materialize(doc.resource, doc.vid, doc.ts),
  };
}

export function fromHistory(doc: HistoryDoc): StoredVersion {
  return {
    resourceType: doc.t,
    id: doc.i,
    versionId: doc.v,
    lastUpdated: doc.ts,
    deleted: doc.deleted,
    method: doc.method,
    resource: doc.resource && !doc.deleted ? materialize(doc.resource, doc.v, doc.ts) : undefined,
  };
}
