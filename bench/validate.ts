/**
 * Validation cost per resource over Synthea resources (../shared/data/synthea-r4, or
 * BENCH_SYNTHEA_DIR; BENCH_VALIDATE_FILES bundles, 10 by default): the base JSON schema (what every
 * write pays), the base StructureDefinition rules with R4 core terminology for bindings ($validate),
 * and Patients against our baobab-patient profile (what a write claiming it pays).
 * Run with `npx tsx bench/validate.ts`. Prints figures; asserts nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { loadDefinitions } from '../src/fhir/definitions';
import { profileValidatorFor } from '../src/fhir/validation/profile';
import { createSchemaValidator } from '../src/fhir/validation/schema';
import { createTerminology } from '../src/terminology/terminology';

const dir = process.env.BENCH_SYNTHEA_DIR || join(import.meta.dirname, '..', '..', 'shared', 'data', 'synthea-r4');
const FILES = Number(process.env.BENCH_VALIDATE_FILES ?? 10);
const PROFILE = 'https://baobab.health/fhir/StructureDefinition/baobab-patient';

const resources: Resource[] = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !/^(hospital|practitioner)Information/.test(f)).sort().slice(0, FILES)) {
  const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { entry?: Array<{ resource: Resource }> };
  for (const e of bundle.entry ?? []) resources.push(e.resource);
}
const patients = resources.filter((r) => r.resourceType === 'Patient');

const definitions = loadDefinitions();
const schema = createSchemaValidator();
const validator = profileValidatorFor(definitions);
// R4 core terminology only (nothing stored): bindings to core ValueSets are checked, SNOMED/LOINC formats too.
const terminology = createTerminology({ readCurrent: () => Promise.resolve([]) });

async function microseconds(list: readonly Resource[], run: (r: Resource) => unknown): Promise<number> {
  for (const r of list) await run(r); // warm: compile schemas and profiles, load core terminology
  const start = process.hrtime.bigint();
  for (const r of list) await run(r);
  return Number(process.hrtime.bigint() - start) / 1000 / list.length;
}

const base = await microseconds(resources, (r) => schema.validate(r));
const rules = await microseconds(resources, (r) => validator.validate(r));
const withBindings = await microseconds(resources, (r) => validator.validate(r, { terminology }));
const profiled = await microseconds(patients, (r) => validator.validate({ ...r, meta: { profile: [PROFILE] } }, { profile: PROFILE, terminology }));
let errors = 0;
for (const r of resources) errors += (await validator.validate(r, { terminology })).filter((i) => i.severity === 'error').length;

console.log(`${resources.length} Synthea resources (${FILES} bundles), ${patients.length} Patients`);
console.log(`base JSON schema (every write):                   ${base.toFixed(1)} µs per resource`);
console.log(`base StructureDefinition rules, no bindings:        ${rules.toFixed(1)} µs per resource`);
console.log(`base rules with bindings (R4 core terminology):     ${withBindings.toFixed(1)} µs per resource`);
console.log(`Patient against baobab-patient (base + profile):    ${profiled.toFixed(1)} µs per Patient`);
console.log(`errors found in these resources by the base rules:  ${errors}`);
