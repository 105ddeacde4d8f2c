/** $validate (resource-operation-validate.html): base schema, base definition and profile issues. */
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';
import { MARITAL_SYSTEM, MRN_SYSTEM, TEST_PROFILE_URL, testPatientProfile } from '../helpers/test-profile';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const stored = await server.request.post('/fhir/StructureDefinition').send(testPatientProfile());
  expect(stored.status).toBe(201);
});
afterAll(async () => {
  await server?.close();
});

type Issue = Pick<OperationOutcomeIssue, 'severity' | 'code'> & { expression?: string };

async function validate(resource: unknown, query = ''): Promise<OperationOutcome> {
  const type = (resource as { resourceType: string }).resourceType;
  const response = await server.request.post(`/fhir/${type}/$validate${query}`).send(resource as object);
  expect(response.status).toBe(200);
  expect(response.body.resourceType).toBe('OperationOutcome');
  return response.body as OperationOutcome;
}

/** Issues that are errors or warnings, as severity/code/expression. */
function problems(outcome: OperationOutcome): Issue[] {
  return (outcome.issue ?? [])
    .filter((i) => i.severity === 'error' || i.severity === 'warning')
    .map((i) => ({ severity: i.severity, code: i.code, ...(i.expression?.[0] ? { expression: i.expression[0] } : {}) }));
}

function errors(outcome: OperationOutcome): Issue[] {
  return problems(outcome).filter((i) => i.severity === 'error');
}

function firstError(outcome: OperationOutcome): string | undefined {
  return outcome.issue?.find((i) => i.severity === 'error')?.diagnostics;
}

const profiled = `?profile=${encodeURIComponent(TEST_PROFILE_URL)}`;
const goodProfiled = {
  resourceType: 'Patient',
  active: true,
  gender: 'female',
  identifier: [{ system: MRN_SYSTEM, value: 'A123' }, { system: 'http://other.example.org', value: 'x' }],
  maritalStatus: { coding: [{ system: MARITAL_SYSTEM, code: 'M' }] },
  deceasedBoolean: false,
};

describe('$validate', () => {
  it('answers 200 with an information issue for a valid resource', async () => {
    const outcome = await validate({ resourceType: 'Patient', name: [{ family: 'Okafor' }] });
    expect(outcome.issue).toHaveLength(1);
    expect(outcome.issue?.[0]).toMatchObject({ severity: 'information', code: 'informational' });
  });

  it('accepts a Parameters body with resource and mode, and reports base schema issues', async () => {
    const response = await server.request.post('/fhir/Patient/$validate').send({
      resourceType: 'Parameters',
      parameter: [{ name: 'resource', resource: { resourceType: 'Patient', birthDate: 'not a date' } }, { name: 'mode', valueCode: 'create' }],
    });
    expect(response.status).toBe(200);
    expect(errors(response.body)).toEqual([{ severity: 'error', code: 'value', expression: 'Patient.birthDate' }]);
  });

  it('checks cardinality, including choice elements and nested backbone elements', async () => {
    const missing = await validate({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' } });
    expect(errors(missing)).toEqual([{ severity: 'error', code: 'required', expression: 'MedicationRequest.medication' }]);
    expect(firstError(missing)).toContain('MedicationRequest.medication[x]: minimum required = 1');
    const present = await validate({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' }, medicationCodeableConcept: { text: 'aspirin' } });
    expect(errors(present)).toEqual([]);
    const nested = await validate({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, component: [{ valueString: 'no code' }] });
    expect(errors(nested)).toEqual([{ severity: 'error', code: 'required', expression: 'Observation.component[0].code' }]);
    expect(errors(await validate(goodProfiled, profiled))).toEqual([]);
    const { gender: _, ...noGender } = goodProfiled;
    expect(errors(await validate(noGender, profiled))).toEqual([{ severity: 'error', code: 'required', expression: 'Patient.gender' }]);
  });

  it('reports missing mandatory elements once, together with what the profile walk finds', async () => {
    // No status (base cardinality, found by the schema check and the walk alike) and obs-6 broken.
    const outcome = await validate({ resourceType: 'Observation', code: { text: 'x' }, valueString: 'a', dataAbsentReason: { text: 'unknown' } });
    expect(errors(outcome)).toEqual([
      { severity: 'error', code: 'required', expression: 'Observation.status' },
      { severity: 'error', code: 'invariant', expression: 'Observation' },
    ]);
    expect(outcome.issue?.[0]?.diagnostics).toBe('Observation.status: minimum required = 1, but only found 0');
    expect(outcome.issue?.[1]?.diagnostics).toMatch(/^Constraint failed: obs-6/);
    // A resource of the wrong shape still stops at the schema issues.
    const shape = await validate({ resourceType: 'Observation', code: { text: 'x' }, valueString: 5, dataAbsentReason: { text: 'unknown' } });
    expect(errors(shape)).toEqual([
      { severity: 'error', code: 'structure', expression: 'Observation.valueString' },
      { severity: 'error', code: 'required', expression: 'Observation.status' },
    ]);
  });

  it('checks the choice types a profile allows', async () => {
    const wrong = await validate({ ...goodProfiled, deceasedBoolean: undefined, deceasedDateTime: '2020-01-01' }, profiled);
    expect(errors(wrong)).toEqual([{ severity: 'error', code: 'structure', expression: 'Patient.deceasedDateTime' }]);
    expect(errors(await validate({ ...goodProfiled, deceasedBoolean: true }, profiled))).toEqual([]);
  });

  it('checks fixed and pattern values', async () => {
    expect(errors(await validate({ ...goodProfiled, active: false }, profiled))).toEqual([{ severity: 'error', code: 'value', expression: 'Patient.active' }]);
    const otherSystem = await validate({ ...goodProfiled, maritalStatus: { coding: [{ system: 'http://example.org/marital', code: 'M' }] } }, profiled);
    expect(errors(otherSystem)).toContainEqual({ severity: 'error', code: 'value', expression: 'Patient.maritalStatus' });
  });

  it('checks slices: cardinality by value discriminator and the slice content', async () => {
    const noMrn = await validate({ ...goodProfiled, identifier: [{ system: 'http://other.example.org', value: 'x' }] }, profiled);
    expect(errors(noMrn)).toEqual([{ severity: 'error', code: 'required', expression: 'Patient.identifier' }]);
    expect(firstError(noMrn)).toContain('Patient.identifier:mrn: minimum required = 1, but only found 0');
    const twoMrns = await validate({ ...goodProfiled, identifier: [{ system: MRN_SYSTEM, value: 'A' }, { system: MRN_SYSTEM, value: 'B' }] }, profiled);
    expect(errors(twoMrns)).toEqual([{ severity: 'error', code: 'structure', expression: 'Patient.identifier' }]);
    const noValue = await validate({ ...goodProfiled, identifier: [{ system: MRN_SYSTEM }] }, profiled);
    expect(errors(noValue)).toEqual([{ severity: 'error', code: 'required', expression: 'Patient.identifier[0].value' }]);
  });

  it('checks required bindings against the ValueSet', async () => {
    const bad = await validate({ ...goodProfiled, maritalStatus: { coding: [{ system: MARITAL_SYSTEM, code: 'ZZ' }] } }, profiled);
    expect(errors(bad)).toEqual([{ severity: 'error', code: 'code-invalid', expression: 'Patient.maritalStatus' }]);
    expect(errors(await validate({ ...goodProfiled, maritalStatus: { coding: [{ system: MARITAL_SYSTEM, code: 'S' }] } }, profiled))).toEqual([]);
  });

  it('evaluates invariants (pat-1, obs-6, dom-2, per-1)', async () => {
    const pat1 = await validate({ resourceType: 'Patient', contact: [{ gender: 'male' }] });
    expect(errors(pat1)).toEqual([{ severity: 'error', code: 'invariant', expression: 'Patient.contact[0]' }]);
    expect(firstError(pat1)).toContain('pat-1');
    expect(errors(await validate({ resourceType: 'Patient', contact: [{ name: { family: 'Doe' } }] }))).toEqual([]);
    const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
    const obs6 = await validate({ ...obs, valueString: 'x', dataAbsentReason: { text: 'unknown' } });
    expect(errors(obs6)).toEqual([{ severity: 'error', code: 'invariant', expression: 'Observation' }]);
    expect(firstError(obs6)).toContain('obs-6');
    expect(errors(await validate({ ...obs, dataAbsentReason: { text: 'unknown' } }))).toEqual([]);
    const nested = { resourceType: 'Organization', id: 'o', contained: [{ resourceType: 'Organization', id: 'p' }] };
    const dom2 = await validate({ ...obs, contained: [nested], performer: [{ reference: '#o' }] });
    expect(errors(dom2).map((i) => i.expression)).toContain('Observation');
    expect(dom2.issue?.some((i) => i.diagnostics?.includes('dom-2'))).toBe(true);
    const per1 = await validate({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period: { start: '2024-02-01', end: '2024-01-01' } });
    expect(errors(per1)).toEqual([{ severity: 'error', code: 'invariant', expression: 'Encounter.period' }]);
  });

  it('validates the stored resource at instance level and checks mode=update and mode=delete', async () => {
    const created = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient', active: true });
    const id = created.body.id as string;
    const stored = await server.request.get(`/fhir/Patient/${id}/$validate`);
    expect(stored.status).toBe(200);
    expect(stored.body.issue[0].code).toBe('informational');
    const update = await validate({ resourceType: 'Patient', active: false }, '?mode=update');
    expect(errors(update)).toEqual([{ severity: 'error', code: 'required', expression: 'Patient.id' }]);
    const wrongId = await server.request.post(`/fhir/Patient/${id}/$validate?mode=update`).send({ resourceType: 'Patient', id: 'other' });
    expect(errors(wrongId.body)).toEqual([{ severity: 'error', code: 'invalid', expression: 'Patient.id' }]);
    const del = await server.request.post(`/fhir/Patient/${id}/$validate`).send({ resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'delete' }] });
    expect(del.status).toBe(200);
    expect(del.body.issue[0].code).toBe('informational');
    const missing = await server.request.post('/fhir/Patient/nope/$validate').send({ resourceType: 'Parameters', parameter: [{ name: 'mode', valueCode: 'delete' }] });
    expect(missing.status).toBe(404);
  });

  it("validates against our profiles from profiles/ and checks extensions we define", async () => {
    const bao = `?profile=${encodeURIComponent('https://baobab.health/fhir/StructureDefinition/baobab-patient')}`;
    const future = await validate({ resourceType: 'Patient', birthDate: '2999-01-01' }, bao);
    expect(errors(future)).toContainEqual({ severity: 'error', code: 'invariant', expression: 'Patient' });
    expect(future.issue?.some((i) => i.diagnostics?.includes('bao-pat-2'))).toBe(true);
    const status = (valueCode: string) => ({
      resourceType: 'Practitioner',
      extension: [{ url: 'https://baobab.health/fhir/StructureDefinition/license-status', valueCode }],
    });
    expect(errors(await validate(status('active')))).toEqual([]);
    expect(errors(await validate(status('bogus')))).toEqual([{ severity: 'error', code: 'code-invalid', expression: 'Practitioner.extension[0].value.ofType(code)' }]);
    const wrongType = await validate({ resourceType: 'Practitioner', extension: [{ url: 'https://baobab.health/fhir/StructureDefinition/license-status', valueString: 'active' }] });
    expect(errors(wrongType)).toContainEqual({ severity: 'error', code: 'structure', expression: 'Practitioner.extension[0].valueString' });
  });

  it('validates against the profiles the resource claims in meta.profile, as a write does', async () => {
    const claimed = (phone: string) => ({
      resourceType: 'Patient',
      meta: { profile: ['https://baobab.health/fhir/StructureDefinition/baobab-patient', 'http://example.org/unknown-profile'] },
      identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:mrn', value: 'M1' }],
      telecom: [{ system: 'phone', value: phone }],
    });
    const national = await validate(claimed('08012345678'));
    expect(errors(national)).toEqual([{ severity: 'error', code: 'invariant', expression: 'Patient' }]);
    expect(firstError(national)).toContain('bao-pat-5');
    expect((await server.request.post('/fhir/Patient').send(claimed('08012345678'))).status).toBe(422);
    expect(errors(await validate(claimed('+2348012345678')))).toEqual([]);
  });

  it('answers 404 for an unknown profile and 400 for an unknown mode', async () => {
    const unknown = await server.request.post(`/fhir/Patient/$validate?profile=${encodeURIComponent('http://example.org/none')}`).send({ resourceType: 'Patient' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.resourceType).toBe('OperationOutcome');
    const mode = await server.request.post('/fhir/Patient/$validate?mode=merge').send({ resourceType: 'Patient' });
    expect(mode.status).toBe(400);
  });
});
