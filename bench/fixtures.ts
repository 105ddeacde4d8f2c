/**
 * The resource the benchmark sends and stores: the official R4 example Patient
 * (hl7.fhir.r4.examples, CC0): 3.7 kB with narrative,
 * identifiers, telecoms, an address, a contact and a primitive extension.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type Json = Record<string, unknown>;

let cached: Json | undefined;

/** The example Patient without id and meta (a fresh copy each call). */
export function examplePatient(): Json {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('hl7.fhir.r4.examples/Patient-example.json');
    const { id: _id, meta: _meta, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Json;
    cached = rest;
  }
  return structuredClone(cached);
}

export function patientId(prefix: string, n: number): string {
  return `${prefix}${n}`;
}

/** The body of an update of patient n (client id in the body, as FHIR requires for PUT). */
export function patientWithId(prefix: string, n: number): Json {
  const { resourceType, ...rest } = examplePatient();
  return { resourceType, id: patientId(prefix, n), ...rest };
}

/** What a server returns for a stored patient: id and the server-owned meta first. */
export function storedPatient(prefix: string, n: number, lastUpdated: Date): Json {
  const { resourceType, ...rest } = examplePatient();
  return { resourceType, id: patientId(prefix, n), meta: { versionId: '1', lastUpdated: lastUpdated.toISOString() }, ...rest };
}
