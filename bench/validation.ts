/**
 * Validation cost per resource (issue 6), measured in this process over Synthea resources: the
 * base JSON schema (what every write pays), the base StructureDefinition rules with and without
 * R4 core terminology for bindings (what $validate pays), and Patients against our
 * baobab-patient profile (what a write claiming it pays). CPU time of one pass after a warm-up
 * pass; nothing stored, no HTTP.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { loadDefinitions } from '../src/fhir/definitions';
import { profileValidatorFor } from '../src/fhir/validation/profile';
import { createSchemaValidator } from '../src/fhir/validation/schema';
import { createTerminology } from '../src/terminology/terminology';
import { BAOBAB_PATIENT_PROFILE } from './fixtures';

export interface ValidationCost {
  bundles: number;
  resources: number;
  patients: number;
  /** µs of CPU per resource (per Patient for `profiled`). */
  schema: number;
  rules: number;
  withBindings: number;
  profiled: number;
  errorsFound: number;
}

function syntheaResources(dir: string, files: number): Resource[] {
  const resources: Resource[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !/^(hospital|practitioner)Information/.test(f)).sort().slice(0, files)) {
    const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { entry?: Array<{ resource: Resource }> };
    for (const e of bundle.entry ?? []) resources.push(e.resource);
  }
  return resources;
}

async function cpuMicroseconds(list: readonly Resource[], run: (r: Resource) => unknown): Promise<number> {
  for (const r of list) await run(r); // warm: compile schemas and profiles, load core terminology
  const start = process.cpuUsage();
  for (const r of list) await run(r);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / list.length;
}

export async function measureValidation(dir: string, files: number): Promise<ValidationCost> {
  const resources = syntheaResources(dir, files);
  const patients = resources.filter((r) => r.resourceType === 'Patient');
  const schema = createSchemaValidator();
  const validator = profileValidatorFor(loadDefinitions());
  // R4 core terminology only (nothing stored): bindings to core ValueSets are checked, SNOMED/LOINC formats too.
  const terminology = createTerminology({ readCurrent: () => Promise.resolve([]) });
  const profiledPatients = patients.map((p) => ({ ...p, meta: { profile: [BAOBAB_PATIENT_PROFILE] } }) as Resource);
  let errorsFound = 0;
  for (const r of resources) errorsFound += (await validator.validate(r, { terminology })).filter((i) => i.severity === 'error').length;
  return {
    bundles: files,
    resources: resources.length,
    patients: patients.length,
    schema: await cpuMicroseconds(resources, (r) => schema.validate(r)),
    rules: await cpuMicroseconds(resources, (r) => validator.validate(r)),
    withBindings: await cpuMicroseconds(resources, (r) => validator.validate(r, { terminology })),
    profiled: await cpuMicroseconds(profiledPatients, (r) => validator.validate(r, { profile: BAOBAB_PATIENT_PROFILE, terminology })),
    errorsFound,
  };
}

const us = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export function validationLines(cost: ValidationCost): string[] {
  return [
    `base JSON schema (every write):                 ${us(cost.schema)} µs per resource`,
    `base StructureDefinition rules, no bindings:    ${us(cost.rules)} µs per resource`,
    `base rules with bindings (R4 core terminology): ${us(cost.withBindings)} µs per resource`,
    `Patient against baobab-patient (with bindings): ${us(cost.profiled)} µs per Patient`,
    `errors the base rules found in these resources: ${cost.errorsFound}`,
  ];
}

export function validationMarkdown(cost: ValidationCost): string {
  return [
    '### Validation cost',
    '',
    `CPU time per resource in the benchmark process, over the first ${cost.bundles} Synthea bundles (${cost.resources.toLocaleString('en-US')} resources, ` +
      `${cost.patients} Patients), one pass after a warm-up pass. Writes pay the schema, plus a profile when the resource claims one of ours ` +
      `or REQUIRED_PROFILES names one for its type (the "create profiled" scenario above measures such writes over HTTP); $validate pays the base rules with bindings.`,
    '',
    '| What | µs per resource |',
    '|---|---:|',
    `| base JSON schema (ajv): what every write pays | ${us(cost.schema)} |`,
    `| base StructureDefinition rules (cardinality, invariants…), no bindings | ${us(cost.rules)} |`,
    `| the same with bindings checked against R4 core terminology: \`$validate\` | ${us(cost.withBindings)} |`,
    `| a Patient against \`baobab-patient\` (base rules + profile, with bindings) | ${us(cost.profiled)} |`,
    '',
    `Errors the base rules found in these resources: ${cost.errorsFound}.`,
    '',
  ].join('\n');
}
