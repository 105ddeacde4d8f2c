/** Logical ids: server-assigned ids are UUIDs; client ids must match the R4 id type. */
import { randomUUID } from 'node:crypto';

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export function newId(): string {
  return randomUUID();
}

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}
