/**
 * Exclusive claims: a document with a unique `_id` in the `claims` collection. Inserting it
 * takes the claim (a duplicate-key error means someone else holds it); deleting releases it.
 * A claim older than STALE_MS is assumed to belong to a crashed process and is taken over.
 */
import type { Collection } from 'mongodb';
import { MongoServerError } from 'mongodb';
import { StoreBusyError } from '../fhir-store';

export const CLAIMS_COLLECTION = 'claims';
const STALE_MS = 30_000;
const WAIT_MS = 10_000;

export interface ClaimDoc {
  _id: string;
  at: Date;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Takes the claim on `key`, waiting while someone else holds it; returns how to release it. */
export async function acquireClaim(claims: Collection<ClaimDoc>, key: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    const at = new Date();
    try {
      await claims.insertOne({ _id: key, at });
      return async () => {
        await claims.deleteOne({ _id: key, at });
      };
    } catch (err) {
      if (!(err instanceof MongoServerError && err.code === 11000)) throw err;
      await claims.deleteOne({ _id: key, at: { $lt: new Date(at.getTime() - STALE_MS) } });
      if (Date.now() > deadline) throw new StoreBusyError(key);
      await pause(Math.min(2 * attempt, 20) * Math.random() + 1);
    }
  }
}

export async function withClaim<T>(claims: Collection<ClaimDoc>, key: string, fn: () => Promise<T>): Promise<T> {
  const release = await acquireClaim(claims, key);
  try {
    return await fn();
  } finally {
    await release();
  }
}
