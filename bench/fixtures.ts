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

export const BAOBAB_PATIENT_PROFILE = 'https://baobab.health/fhir/StructureDefinition/baobab-patient';

/** The example Patient made to meet our baobab-patient profile (phones in E.164) and claiming it. */
export function profiledPatient(): Json {
  const patient = examplePatient() as Json & { telecom?: Array<Record<string, unknown>> };
  const e164 = ['+61355556473', '+61334105613', '+61355558834'];
  let phone = 0;
  patient.telecom = (patient.telecom ?? []).map((t) => (t.system === 'phone' ? { ...t, value: e164[phone++ % e164.length] } : t));
  return { resourceType: 'Patient', meta: { profile: [BAOBAB_PATIENT_PROFILE] }, ...Object.fromEntries(Object.entries(patient).filter(([k]) => k !== 'resourceType')) };
}
