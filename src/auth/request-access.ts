/**
 * The Access of the request being served, carried through every await by AsyncLocalStorage, so
 * each data path (reads, searches, includes, chains, operations, bundle entries) is checked in
 * one place, ResourceService, without passing it through every signature. Work outside any
 * request (start-up, background jobs the server runs for itself) has no Access and is trusted;
 * server-side work inside a request that must not be limited by the caller runs asSystem().
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Resource } from '@medplum/fhirtypes';
import type { Access } from './access';
import type { StoredVersion } from '../store/fhir-store';

interface Frame {
  access: Access | undefined;
  /** Per-request memo (e.g. the patients a clinician is assigned to). */
  memo: Map<string, unknown>;
  /** Resources the request read or wrote, for its AuditEvent (at most MAX_TOUCHED). */
  touched: TouchedResource[];
}

export interface TouchedResource {
  type: string;
  /** Its id, when known without reading the resource. */
  id?: string;
  readonly resource: Resource;
}

const MAX_TOUCHED = 200;

const storage = new AsyncLocalStorage<Frame>();

export function runWithAccess<T>(access: Access, fn: () => T): T {
  const current = storage.getStore();
  // Bundle entries run inside their Bundle's request: keep its frame (and memo).
  if (current && current.access === access) return fn();
  return storage.run({ access, memo: new Map(), touched: [] }, fn);
}

/** Runs `fn` as the server itself (no caller limits), e.g. writing AuditEvents. */
export function asSystem<T>(fn: () => T): T {
  return storage.run({ access: undefined, memo: new Map(), touched: [] }, fn);
}

/** The caller's Access, or undefined for the server's own work. */
export function currentAccess(): Access | undefined {
  return storage.getStore()?.access;
}

/** A value computed once per request (undefined outside requests: computed every time). */
export function requestMemo<T>(key: string, compute: () => T): T {
  const frame = storage.getStore();
  if (!frame) return compute();
  if (!frame.memo.has(key)) frame.memo.set(key, compute());
  return frame.memo.get(key) as T;
}

/**
 * Notes resources a request read or wrote, for its AuditEvent (ignored outside requests, with
 * authentication off, where nothing is audited, and past MAX_TOUCHED).
 */
export function noteTouched(type: string, resources: readonly Resource[]): void {
  const frame = storage.getStore();
  if (!frame?.access || frame.access.mode === 'open') return;
  for (const resource of resources) {
    if (frame.touched.length >= MAX_TOUCHED) return;
    frame.touched.push({ type, resource });
  }
}

/** Notes a version the request read; its resource is parsed only if its AuditEvent needs more than the id. */
export function noteRead(version: StoredVersion & { resource: Resource }): void {
  const frame = storage.getStore();
  if (!frame?.access || frame.access.mode === 'open' || frame.touched.length >= MAX_TOUCHED) return;
  frame.touched.push({
    type: version.resourceType,
    id: version.id,
    get resource() {
      return version.resource;
    },
  });
}

/** How many resources the current request has touched so far (a mark for touchedSince). */
export function touchedCount(): number {
  return storage.getStore()?.touched.length ?? 0;
}

export function touchedSince(mark: number): readonly TouchedResource[] {
  return storage.getStore()?.touched.slice(mark) ?? [];
}
