/** MongoDB write errors, as the store needs to tell them apart. */
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { StoreConflictError } from '../fhir-store';
import { InsertError } from './insert-batcher';

const DUPLICATE_KEY = 11000;

/** A write inside a MongoDB transaction that another transaction changed first. */
export function writeConflict(err: unknown, type: string, id: string): unknown {
  if (err instanceof MongoServerError && (err.code === 112 || err.hasErrorLabel('TransientTransactionError'))) {
    return new StoreConflictError(`${type}/${id} was changed by a concurrent transaction`, 'concurrent');
  }
  return err;
}

/** After an ordered bulk insert fails, the index of the first document that was not written. */
export function firstFailedIndex(err: MongoBulkWriteError): number {
  const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  return Math.min(...writeErrors.map((writeError) => writeError?.index ?? 0));
}

export function isDuplicateKey(err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    return writeErrors.some((writeError) => writeError?.code === DUPLICATE_KEY);
  }
  return (err instanceof MongoServerError || err instanceof InsertError) && err.code === DUPLICATE_KEY;
}
