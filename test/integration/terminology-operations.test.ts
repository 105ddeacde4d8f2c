/**
 * The terminology operations over HTTP: $expand, $lookup, $validate-code (CodeSystem and
 * ValueSet), $subsumes and $translate, on resources stored here and on the R4 core ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const CS = 'http://example.org/fhir/CodeSystem/staff';
const LEGACY = 'http://example.org/fhir/CodeSystem/legacy-roles';
const MAP = 'http://example.org/fhir/ConceptMap/staff-to-legacy';
const GENDER = 'http://hl7.org/fhir/administrative-gender';
const V2_SEX = 'http://terminology.hl7.org/CodeSystem/v2-0001';
const UCUM = 'http://unitsofmeasure.org';
const VS = (name: string) => `http://example.org/fhir/ValueSet/${name}`;
const ids: Record<string, string> = {};

async function post(resource: Record<string, unknown>): Promise<string> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** GET with query parameters, each value URL-encoded. */
function get(path: string, query: Record<string, string | number | boolean> = {}) {
  const qs = Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
  return server.request.get(qs ? `${path}?${qs}` : path);
}

function postParams(path: string, parameter: Array<Record<string, unknown>>) {
  return server.request.post(path).set('Content-Type', FHIR_JSON).send({ resourceType: 'Parameters', parameter });
}

const codesOf = (body: { expansion: { contains?: Array<{ code: string }> } }) => (body.expansion.contains ?? []).map((c) => c.code);

async function expectError(res: { status: number; body: { resourceType: string; issue: Array<{ diagnostics: string }> } }, status: number, text: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.resourceType).toBe('OperationOutcome');
  expect(res.body.issue[0]!.diagnostics).toMatch(text);
}

beforeAll(async () => {
  server = await startTestServer();
  ids.cs = await post({
    resourceType: 'CodeSystem',
    url: CS,
    version: '1',
    name: 'Staff',
    status: 'active',
    content: 'complete',
    property: [
      { code: 'notSelectable', type: 'boolean' },
      { code: 'status', type: 'code' },
    ],
    concept: [
      {
        code: 'clinician',
        display: 'Clinician',
        definition: 'Someone who treats patients',
        designation: [{ language: 'fr', value: 'Clinicien' }],
        concept: [
          { code: 'doctor', display: 'Doctor', concept: [{ code: 'surgeon', display: 'Surgeon' }] },
          { code: 'nurse', display: 'Nurse', concept: [{ code: 'midwife', display: 'Midwife', property: [{ code: 'status', valueCode: 'retired' }] }] },
        ],
      },
      { code: 'support', display: 'Support staff', property: [{ code: 'notSelectable', valueBoolean: true }], concept: [{ code: 'clerk', display: 'Clerk' }] },
    ],
  });
  ids.big = await post({
    resourceType: 'CodeSystem',
    url: 'http://example.org/fhir/CodeSystem/big',
    status: 'active',
    content: 'complete',
    concept: Array.from({ length: 2500 }, (_, i) => ({ code: `c${i}`, display: `Code ${i}` })),
  });
  const vs = (name: string, compose: Record<string, unknown>) => ({ resourceType: 'ValueSet', url: VS(name), name, status: 'active', compose });
  ids.clinicians = await post(vs('clinicians', { include: [{ system: CS, filter: [{ property: 'concept', op: 'is-a', value: 'clinician' }] }] }));
  await post(vs('big', { include: [{ system: 'http://example.org/fhir/CodeSystem/big' }] }));
  await post(vs('loinc-filter', { include: [{ system: 'http://loinc.org', filter: [{ property: 'COMPONENT', op: '=', value: 'Glucose' }] }] }));
  await post(vs('loinc', { include: [{ system: 'http://loinc.org' }] }));
  await post(vs('units', { include: [{ system: UCUM }] }));
  await post(vs('staff-and-gender', { include: [{ system: CS, concept: [{ code: 'support' }, { code: 'nurse', display: 'Registered nurse' }] }, { valueSet: ['http://hl7.org/fhir/ValueSet/administrative-gender'] }] }));
  ids.map = await post({
    resourceType: 'ConceptMap',
    url: MAP,
    status: 'active',
    sourceUri: VS('clinicians'),
    targetUri: VS('legacy'),
    group: [
      {
        source: CS,
        target: LEGACY,
        element: [
          { code: 'surgeon', target: [{ code: 'SURG', display: 'Surgeon', equivalence: 'equivalent' }] },
          { code: 'nurse', target: [{ code: 'RN', equivalence: 'equivalent' }] },
          { code: 'midwife', display: 'Midwife', target: [{ code: 'RN', equivalence: 'wider' }] },
          { code: 'doctor', target: [{ equivalence: 'unmatched' }] },
        ],
        unmapped: { mode: 'fixed', code: 'OTH', display: 'Other' },
      },
    ],
  });
});
afterAll(async () => {
  await server?.close();
});

describe('ValueSet/$expand', () => {
  it('expands a stored ValueSet with an is-a filter over a stored CodeSystem', async () => {
    const res = await get('/fhir/ValueSet/$expand', { url: VS('clinicians') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'ValueSet', id: ids.clinicians, url: VS('clinicians'), name: 'clinicians', status: 'active' });
    expect(res.body.compose).toBeUndefined();
    expect(res.body.meta).toBeUndefined();
    const { identifier, timestamp, contains, ...rest } = res.body.expansion;
    expect(identifier).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(timestamp))).toBe(false);
    expect(rest).toEqual({ total: 5, offset: 0 });
    expect([...contains].sort((a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code))).toEqual([
      { system: CS, version: '1', code: 'clinician', display: 'Clinician' },
      { system: CS, version: '1', code: 'doctor', display: 'Doctor' },
      { system: CS, version: '1', code: 'midwife', display: 'Midwife', inactive: true },
      { system: CS, version: '1', code: 'nurse', display: 'Nurse' },
      { system: CS, version: '1', code: 'surgeon', display: 'Surgeon' },
    ]);
    // Instance level, and the definition on request.
    const instance = await get(`/fhir/ValueSet/${ids.clinicians}/$expand`, { includeDefinition: true });
    expect(instance.status).toBe(200);
    expect(instance.body.expansion.total).toBe(5);
    expect(instance.body.compose.include[0].system).toBe(CS);
    expect(instance.body.expansion.parameter).toEqual([{ name: 'includeDefinition', valueBoolean: true }]);
  });

  it('applies the text filter and activeOnly, and echoes them', async () => {
    const expand = async (query: Record<string, string | boolean>) => {
      const res = await get('/fhir/ValueSet/$expand', { url: VS('clinicians'), ...query });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    expect(codesOf(await expand({ filter: 'SURG' }))).toEqual(['surgeon']);
    expect(codesOf(await expand({ filter: 'mid wif' }))).toEqual(['midwife']);
    expect((await expand({ filter: 'zzz' })).expansion).toMatchObject({ total: 0, offset: 0 });
    expect((await expand({ filter: 'zzz' })).expansion.contains).toBeUndefined();
    const active = await expand({ activeOnly: true, excludeNested: true });
    expect(codesOf(active).sort()).toEqual(['clinician', 'doctor', 'nurse', 'surgeon']);
    expect(active.expansion.parameter).toEqual([
      { name: 'activeOnly', valueBoolean: true },
      { name: 'excludeNested', valueBoolean: true },
    ]);
  });

  it('expands R4 core ValueSets', async () => {
    const gender = await get('/fhir/ValueSet/$expand', { url: 'http://hl7.org/fhir/ValueSet/administrative-gender' });
    expect(gender.status).toBe(200);
    expect(gender.body.expansion.total).toBe(4);
    expect(gender.body.expansion.contains).toEqual([
      { system: GENDER, version: '4.0.1', code: 'male', display: 'Male' },
      { system: GENDER, version: '4.0.1', code: 'female', display: 'Female' },
      { system: GENDER, version: '4.0.1', code: 'other', display: 'Other' },
      { system: GENDER, version: '4.0.1', code: 'unknown', display: 'Unknown' },
    ]);
    const clinical = await get('/fhir/ValueSet/$expand', { url: 'http://hl7.org/fhir/ValueSet/condition-clinical' });
    expect(clinical.status).toBe(200);
    expect(clinical.body.expansion.total).toBe(6);
    expect(codesOf(clinical.body).sort()).toEqual(['active', 'inactive', 'recurrence', 'relapse', 'remission', 'resolved']);
  });

  it('pages with offset and count, also through thousands of codes', async () => {
    const all = codesOf((await get('/fhir/ValueSet/$expand', { url: 'http://hl7.org/fhir/ValueSet/condition-clinical' })).body);
    const page = await get('/fhir/ValueSet/$expand', { url: 'http://hl7.org/fhir/ValueSet/condition-clinical', count: 2, offset: 2 });
    expect(page.status).toBe(200);
    expect(page.body.expansion).toMatchObject({ total: 6, offset: 2, parameter: [{ name: 'count', valueInteger: 2 }, { name: 'offset', valueInteger: 2 }] });
    expect(codesOf(page.body)).toEqual(all.slice(2, 4));
    const sizeOnly = await get('/fhir/ValueSet/$expand', { url: 'http://hl7.org/fhir/ValueSet/condition-clinical', count: 0 });
    expect(sizeOnly.body.expansion.total).toBe(6);
    expect(sizeOnly.body.expansion.contains).toBeUndefined();

    const seen: string[] = [];
    for (let offset = 0; ; offset += 1000) {
      const res = await get('/fhir/ValueSet/$expand', { url: VS('big'), offset, count: 1000 });
      expect(res.status).toBe(200);
      expect(res.body.expansion).toMatchObject({ total: 2500, offset });
      if (!res.body.expansion.contains) break;
      seen.push(...codesOf(res.body));
    }
    expect(seen).toHaveLength(2500);
    expect(new Set(seen)).toEqual(new Set(Array.from({ length: 2500 }, (_, i) => `c${i}`)));
    const filtered = await get('/fhir/ValueSet/$expand', { url: VS('big'), filter: 'code 249', count: 3 });
    // Every word matches somewhere: c249, c1249, c2249 and c2490…c2499.
    expect(filtered.body.expansion.total).toBe(13);
    expect(codesOf(filtered.body)).toHaveLength(3);
  });

  it('expands a ValueSet POSTed in the Parameters', async () => {
    const valueSet = { resourceType: 'ValueSet', status: 'draft', compose: { include: [{ system: CS, concept: [{ code: 'nurse' }, { code: 'clerk', display: 'Front desk' }] }] } };
    const res = await postParams('/fhir/ValueSet/$expand', [{ name: 'valueSet', resource: valueSet }, { name: 'filter', valueString: 'desk' }]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('draft');
    expect(res.body.expansion).toMatchObject({ total: 1, offset: 0, parameter: [{ name: 'filter', valueString: 'desk' }] });
    expect(res.body.expansion.contains).toEqual([{ system: CS, code: 'clerk', display: 'Front desk' }]);
  });

  it('answers bad requests with a 4xx OperationOutcome', async () => {
    await expectError(await get('/fhir/ValueSet/$expand', { url: VS('nope') }), 404, /is not known/);
    await expectError(await get('/fhir/ValueSet/$expand', { url: VS('loinc-filter') }), 400, /not loaded on this server in full/);
    await expectError(await get('/fhir/ValueSet/$expand', { url: VS('loinc') }), 400, /not known to this server/);
    await expectError(await get('/fhir/ValueSet/$expand'), 400, /needs the ValueSet/);
    await expectError(await get('/fhir/ValueSet/$expand', { url: VS('clinicians'), count: -1 }), 400, /must be 0 or more/);
    await expectError(await get('/fhir/ValueSet/$expand', { url: VS('clinicians'), count: 'ten' }), 400, /must be an integer/);
    await expectError(await get('/fhir/ValueSet/$expand', { url: VS('clinicians'), context: 'http://x' }), 400, /not supported/);
    await expectError(await get('/fhir/ValueSet/$expand', { url: VS('clinicians'), valueSetVersion: '9' }), 404, /is not known/);
    await expectError(await get('/fhir/ValueSet/$expand', { url: VS('clinicians'), bogus: 1 }), 400, /Unknown parameter/);
    await expectError(await get('/fhir/ValueSet/does-not-exist/$expand'), 404, /ValueSet\/does-not-exist is not known/);
    await expectError(await postParams('/fhir/ValueSet/$expand', [{ name: 'valueSet', resource: { resourceType: 'Patient' } }]), 400, /must be a ValueSet/);
    await expectError(await postParams('/fhir/ValueSet/$expand', [{ name: 'url', valueUri: VS('clinicians') }, { name: 'valueSet', resource: { resourceType: 'ValueSet', status: 'draft' } }]), 400, /not both/);
  });
});

describe('CodeSystem/$lookup', () => {
  it('describes an R4 core code', async () => {
    const res = await get('/fhir/CodeSystem/$lookup', { system: GENDER, code: 'male' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      resourceType: 'Parameters',
      parameter: [
        { name: 'name', valueString: 'AdministrativeGender' },
        { name: 'version', valueString: '4.0.1' },
        { name: 'display', valueString: 'Male' },
        { name: 'property', part: [{ name: 'code', valueCode: 'definition' }, { name: 'value', valueString: 'Male.' }] },
      ],
    });
  });

  it('describes a stored code with its designations, properties, parents and children', async () => {
    const clinician = await get('/fhir/CodeSystem/$lookup', { system: CS, code: 'clinician' });
    expect(clinician.status).toBe(200);
    expect(clinician.body.parameter).toEqual([
      { name: 'name', valueString: 'Staff' },
      { name: 'version', valueString: '1' },
      { name: 'display', valueString: 'Clinician' },
      { name: 'designation', part: [{ name: 'language', valueCode: 'fr' }, { name: 'value', valueString: 'Clinicien' }] },
      { name: 'property', part: [{ name: 'code', valueCode: 'definition' }, { name: 'value', valueString: 'Someone who treats patients' }] },
      { name: 'property', part: [{ name: 'code', valueCode: 'child' }, { name: 'value', valueCode: 'doctor' }, { name: 'description', valueString: 'Doctor' }] },
      { name: 'property', part: [{ name: 'code', valueCode: 'child' }, { name: 'value', valueCode: 'nurse' }, { name: 'description', valueString: 'Nurse' }] },
    ]);
    const midwife = await postParams('/fhir/CodeSystem/$lookup', [{ name: 'coding', valueCoding: { system: CS, code: 'midwife' } }]);
    expect(midwife.status).toBe(200);
    expect(midwife.body.parameter.slice(2)).toEqual([
      { name: 'display', valueString: 'Midwife' },
      { name: 'property', part: [{ name: 'code', valueCode: 'status' }, { name: 'value', valueCode: 'retired' }] },
      { name: 'property', part: [{ name: 'code', valueCode: 'parent' }, { name: 'value', valueCode: 'nurse' }, { name: 'description', valueString: 'Nurse' }] },
    ]);
    // `property` narrows the output to the properties asked for.
    const parentOnly = await get('/fhir/CodeSystem/$lookup', { system: CS, code: 'surgeon', property: 'parent' });
    expect(parentOnly.body.parameter.slice(2)).toEqual([
      { name: 'display', valueString: 'Surgeon' },
      { name: 'property', part: [{ name: 'code', valueCode: 'parent' }, { name: 'value', valueCode: 'doctor' }, { name: 'description', valueString: 'Doctor' }] },
    ]);
  });

  it('looks up UCUM units without a UCUM CodeSystem', async () => {
    const res = await get('/fhir/CodeSystem/$lookup', { system: UCUM, code: 'mg/dL' });
    expect(res.status).toBe(200);
    expect(res.body.parameter).toEqual([
      { name: 'name', valueString: 'UCUM' },
      { name: 'display', valueString: 'milligram per deciliter' },
    ]);
  });

  it('is a 404 for unknown codes and systems, a 400 for bad input', async () => {
    await expectError(await get('/fhir/CodeSystem/$lookup', { system: CS, code: 'nope' }), 404, /Unable to find code 'nope'/);
    await expectError(await get('/fhir/CodeSystem/$lookup', { system: 'http://example.org/none', code: 'x' }), 404, /is not known/);
    await expectError(await get('/fhir/CodeSystem/$lookup', { system: UCUM, code: 'mgg' }), 404, /not a valid UCUM unit/);
    await expectError(await get('/fhir/CodeSystem/$lookup', { code: 'male' }), 400, /needs the system/);
    await expectError(await get('/fhir/CodeSystem/$lookup', { system: GENDER }), 400, /exactly one of 'code', 'coding'/);
    await expectError(await postParams('/fhir/CodeSystem/$lookup', [{ name: 'code', valueCode: 'male' }, { name: 'coding', valueCoding: { system: GENDER, code: 'male' } }]), 400, /exactly one/);
    // R4 defines $lookup at the type level only.
    await expectError(await get(`/fhir/CodeSystem/${ids.cs}/$lookup`, { code: 'nurse' }), 404, /not supported at the instance level/);
  });
});

describe('CodeSystem/$validate-code', () => {
  const validate = async (query: Record<string, string | boolean>, path = '/fhir/CodeSystem/$validate-code') => {
    const res = await get(path, query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.resourceType).toBe('Parameters');
    return res.body.parameter;
  };

  it('says whether a code is valid, with its display', async () => {
    expect(await validate({ url: CS, code: 'nurse' })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Nurse' }]);
    expect(await validate({ url: CS, code: 'nope' })).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: `Unknown code 'nope' in the CodeSystem '${CS}' version '1'` },
    ]);
    expect(await validate({ url: GENDER, code: 'female' })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Female' }]);
    expect(await validate({ code: 'doctor' }, `/fhir/CodeSystem/${ids.cs}/$validate-code`)).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Doctor' }]);
  });

  it('flags a wrong display without failing the code; case and designations are accepted', async () => {
    expect(await validate({ url: CS, code: 'nurse', display: 'Doctor' })).toEqual([
      { name: 'result', valueBoolean: true },
      { name: 'message', valueString: `The display 'Doctor' is not a valid display for the code 'nurse' of '${CS}'; expected 'Nurse'` },
      { name: 'display', valueString: 'Nurse' },
    ]);
    expect(await validate({ url: CS, code: 'nurse', display: 'NURSE' })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Nurse' }]);
    expect(await validate({ url: CS, code: 'clinician', display: 'Clinicien' })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Clinician' }]);
  });

  it('refuses abstract codes unless abstract=true', async () => {
    expect((await validate({ url: CS, code: 'support' }))[0]).toEqual({ name: 'result', valueBoolean: false });
    expect((await validate({ url: CS, code: 'support' }))[1].valueString).toMatch(/abstract/);
    expect(await validate({ url: CS, code: 'support', abstract: true })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Support staff' }]);
  });

  it('validates UCUM codes with ucum-lhc', async () => {
    expect(await validate({ url: UCUM, code: 'mg/dL' })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'milligram per deciliter' }]);
    expect(await validate({ url: UCUM, code: 'mgg' })).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: "'mgg' is not a valid UCUM unit: mgg is not a valid UCUM code." },
    ]);
  });

  it('takes a Coding or a CodeableConcept', async () => {
    const res = await postParams('/fhir/CodeSystem/$validate-code', [{ name: 'url', valueUri: CS }, { name: 'coding', valueCoding: { system: LEGACY, code: 'RN' } }]);
    expect(res.body.parameter).toEqual([{ name: 'result', valueBoolean: false }, { name: 'message', valueString: `The coding's system '${LEGACY}' is not the CodeSystem '${CS}'` }]);
    const concept = { coding: [{ system: CS, code: 'nope' }, { system: CS, code: 'surgeon', display: 'Surgeon' }] };
    const cc = await postParams('/fhir/CodeSystem/$validate-code', [{ name: 'url', valueUri: CS }, { name: 'codeableConcept', valueCodeableConcept: concept }]);
    expect(cc.body.parameter).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Surgeon' }]);
    // Without url, the coding's system names the CodeSystem.
    const bySystem = await postParams('/fhir/CodeSystem/$validate-code', [{ name: 'coding', valueCoding: { system: GENDER, code: 'other' } }]);
    expect(bySystem.body.parameter).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Other' }]);
  });

  it('answers bad requests with a 4xx OperationOutcome', async () => {
    await expectError(await get('/fhir/CodeSystem/$validate-code', { url: 'http://example.org/none', code: 'x' }), 404, /is not known/);
    await expectError(await get('/fhir/CodeSystem/$validate-code', { code: 'x' }), 400, /needs the CodeSystem/);
    await expectError(await get('/fhir/CodeSystem/$validate-code', { url: CS }), 400, /exactly one of/);
    await expectError(await get('/fhir/CodeSystem/$validate-code', { url: CS, code: 'nurse', abstract: 'maybe' }), 400, /true or false/);
  });
});

describe('ValueSet/$validate-code', () => {
  const validate = async (query: Record<string, string | boolean>, path = '/fhir/ValueSet/$validate-code') => {
    const res = await get(path, query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.parameter;
  };

  it('checks membership and display', async () => {
    expect(await validate({ url: VS('clinicians'), system: CS, code: 'surgeon' })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Surgeon' }]);
    expect(await validate({ system: CS, code: 'clerk' }, `/fhir/ValueSet/${ids.clinicians}/$validate-code`)).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: `The code 'clerk' of '${CS}' is not in the value set '${VS('clinicians')}'` },
    ]);
    expect(await validate({ url: VS('clinicians'), system: CS, code: 'surgeon', display: 'Nurse' })).toEqual([
      { name: 'result', valueBoolean: true },
      { name: 'message', valueString: `The display 'Nurse' is not a valid display for the code 'surgeon' of '${CS}'; expected 'Surgeon'` },
      { name: 'display', valueString: 'Surgeon' },
    ]);
    // A display the ValueSet gives the code is valid too, and preferred.
    expect(await validate({ url: VS('staff-and-gender'), system: CS, code: 'nurse', display: 'Registered nurse' })).toEqual([
      { name: 'result', valueBoolean: true },
      { name: 'display', valueString: 'Registered nurse' },
    ]);
    expect((await validate({ url: VS('staff-and-gender'), system: CS, code: 'support' }))[0]).toEqual({ name: 'result', valueBoolean: false });
    expect(await validate({ url: VS('staff-and-gender'), system: CS, code: 'support', abstract: true })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Support staff' }]);
  });

  it('checks codes of whole code systems against the CodeSystem when it is held', async () => {
    const url = 'http://hl7.org/fhir/ValueSet/administrative-gender';
    expect(await validate({ url, system: GENDER, code: 'male' })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Male' }]);
    expect(await validate({ url, system: GENDER, code: 'bogus' })).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: `Unknown code 'bogus' in the CodeSystem '${GENDER}' version '4.0.1'` },
    ]);
    // Nested value sets count: administrative-gender is included in staff-and-gender.
    expect((await validate({ url: VS('staff-and-gender'), system: GENDER, code: 'female' }))[0]).toEqual({ name: 'result', valueBoolean: true });
    // LOINC is not loaded: its codes are accepted on trust, and the answer says so.
    expect(await validate({ url: VS('loinc'), system: 'http://loinc.org', code: '2345-7' })).toEqual([
      { name: 'result', valueBoolean: true },
      { name: 'message', valueString: "The code system 'http://loinc.org' is not loaded on this server in full; the code '2345-7' was accepted without checking that it exists" },
    ]);
  });

  it('validates UCUM units', async () => {
    expect(await validate({ url: VS('units'), system: UCUM, code: 'mg/dL' })).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'milligram per deciliter' }]);
    expect(await validate({ url: VS('units'), system: UCUM, code: 'mgg' })).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: "'mgg' is not a valid UCUM unit: mgg is not a valid UCUM code." },
    ]);
  });

  it('takes a CodeableConcept and an inline ValueSet', async () => {
    const valueSet = { resourceType: 'ValueSet', status: 'draft', compose: { include: [{ system: CS, concept: [{ code: 'doctor' }] }] } };
    const concept = { coding: [{ system: GENDER, code: 'male' }, { system: CS, code: 'doctor' }] };
    const res = await postParams('/fhir/ValueSet/$validate-code', [{ name: 'valueSet', resource: valueSet }, { name: 'codeableConcept', valueCodeableConcept: concept }]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.parameter).toEqual([{ name: 'result', valueBoolean: true }, { name: 'display', valueString: 'Doctor' }]);
  });

  it('answers bad requests with a 4xx OperationOutcome', async () => {
    await expectError(await get('/fhir/ValueSet/$validate-code', { url: VS('nope'), system: CS, code: 'x' }), 404, /is not known/);
    await expectError(await get('/fhir/ValueSet/$validate-code', { url: VS('clinicians'), code: 'nurse' }), 400, /needs 'system'/);
    await expectError(await get('/fhir/ValueSet/$validate-code', { system: CS, code: 'nurse' }), 400, /needs the ValueSet/);
    await expectError(await get('/fhir/ValueSet/$validate-code', { url: VS('loinc-filter'), system: 'http://loinc.org', code: '2345-7' }), 400, /not loaded/);
  });
});

describe('CodeSystem/$subsumes', () => {
  const outcome = async (query: Record<string, string>, path = '/fhir/CodeSystem/$subsumes') => {
    const res = await get(path, query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.parameter).toHaveLength(1);
    return res.body.parameter[0].valueCode as string;
  };

  it('gives each of the four outcomes', async () => {
    expect(await outcome({ system: CS, codeA: 'clinician', codeB: 'surgeon' })).toBe('subsumes');
    expect(await outcome({ system: CS, codeA: 'surgeon', codeB: 'clinician' })).toBe('subsumed-by');
    expect(await outcome({ system: CS, codeA: 'nurse', codeB: 'nurse' })).toBe('equivalent');
    expect(await outcome({ system: CS, codeA: 'doctor', codeB: 'midwife' })).toBe('not-subsumed');
    expect(await outcome({ codeA: 'nurse', codeB: 'midwife' }, `/fhir/CodeSystem/${ids.cs}/$subsumes`)).toBe('subsumes');
    expect(await outcome({ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', codeA: 'relapse', codeB: 'active' })).toBe('subsumed-by');
    const codings = await postParams('/fhir/CodeSystem/$subsumes', [
      { name: 'codingA', valueCoding: { system: CS, code: 'support' } },
      { name: 'codingB', valueCoding: { system: CS, code: 'clerk' } },
    ]);
    expect(codings.body).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: 'subsumes' }] });
  });

  it('is a 400 for unknown codes, systems, or codes from two systems', async () => {
    await expectError(await get('/fhir/CodeSystem/$subsumes', { system: CS, codeA: 'nurse', codeB: 'nope' }), 400, /Code B 'nope' is not in the CodeSystem/);
    await expectError(await get('/fhir/CodeSystem/$subsumes', { system: 'http://example.org/none', codeA: 'a', codeB: 'b' }), 400, /is not known/);
    await expectError(await get('/fhir/CodeSystem/$subsumes', { codeA: 'a', codeB: 'b' }), 400, /needs the system/);
    await expectError(await get('/fhir/CodeSystem/$subsumes', { system: CS, codeA: 'a' }), 400, /exactly one of 'codeB', 'codingB'/);
    const mixed = await postParams('/fhir/CodeSystem/$subsumes', [
      { name: 'codingA', valueCoding: { system: CS, code: 'nurse' } },
      { name: 'codingB', valueCoding: { system: GENDER, code: 'male' } },
    ]);
    await expectError(mixed, 400, /same system/);
    await expectError(await get(`/fhir/CodeSystem/${ids.cs}/$subsumes`, { system: GENDER, codeA: 'male', codeB: 'male' }), 400, /is not the CodeSystem/);
  });
});

describe('ConceptMap/$translate', () => {
  const translate = async (query: Record<string, string | boolean>, path = '/fhir/ConceptMap/$translate') => {
    const res = await get(path, query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.parameter;
  };
  const match = (equivalence: string, concept: Record<string, string>, source = MAP) => ({
    name: 'match',
    part: [{ name: 'equivalence', valueCode: equivalence }, { name: 'concept', valueCoding: concept }, { name: 'source', valueUri: source }],
  });

  it('translates through a stored ConceptMap', async () => {
    expect(await translate({ url: MAP, system: CS, code: 'surgeon' })).toEqual([
      { name: 'result', valueBoolean: true },
      match('equivalent', { system: LEGACY, code: 'SURG', display: 'Surgeon' }),
    ]);
    // Without a url, the stored maps are searched; `unmapped` fixed gives the fallback code.
    expect(await translate({ system: CS, code: 'clerk' })).toEqual([{ name: 'result', valueBoolean: true }, match('inexact', { system: LEGACY, code: 'OTH', display: 'Other' })]);
    expect(await translate({ code: 'nurse', system: CS }, `/fhir/ConceptMap/${ids.map}/$translate`)).toEqual([{ name: 'result', valueBoolean: true }, match('equivalent', { system: LEGACY, code: 'RN' })]);
    // An `unmatched` target is reported but is no translation.
    expect(await translate({ url: MAP, system: CS, code: 'doctor' })).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: `No translation for 'doctor' of '${CS}': no mapping in 1 ConceptMap(s)` },
      { name: 'match', part: [{ name: 'equivalence', valueCode: 'unmatched' }, { name: 'source', valueUri: MAP }] },
    ]);
    expect(await translate({ url: MAP, system: CS, code: 'surgeon', targetsystem: 'http://example.org/other' })).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: `No translation for 'surgeon' of '${CS}': no mapping in 1 ConceptMap(s)` },
    ]);
  });

  it('translates in reverse', async () => {
    expect(await translate({ url: MAP, system: LEGACY, code: 'RN', reverse: true })).toEqual([
      { name: 'result', valueBoolean: true },
      match('equivalent', { system: CS, code: 'nurse' }),
      match('narrower', { system: CS, code: 'midwife', display: 'Midwife' }),
    ]);
    // source and target keep naming the code's ValueSet and the wanted one.
    const reversed = await translate({ system: LEGACY, code: 'SURG', reverse: true, source: VS('legacy'), target: VS('clinicians') });
    expect(reversed).toEqual([{ name: 'result', valueBoolean: true }, match('equivalent', { system: CS, code: 'surgeon' })]);
  });

  it('finds the R4 core map by source and target ValueSets', async () => {
    const source = 'http://hl7.org/fhir/ValueSet/administrative-gender';
    const target = 'http://terminology.hl7.org/ValueSet/v2-0001';
    const core = 'http://hl7.org/fhir/ConceptMap/cm-administrative-gender-v2';
    expect(await translate({ system: GENDER, code: 'male', source, target })).toEqual([{ name: 'result', valueBoolean: true }, match('equal', { system: V2_SEX, code: 'M' }, core)]);
    expect(await translate({ system: GENDER, code: 'other', url: core })).toEqual([
      { name: 'result', valueBoolean: true },
      match('wider', { system: V2_SEX, code: 'A' }, core),
      match('wider', { system: V2_SEX, code: 'O' }, core),
    ]);
    expect(await translate({ system: V2_SEX, code: 'F', reverse: true, source: target, target: source })).toEqual([
      { name: 'result', valueBoolean: true },
      match('equal', { system: GENDER, code: 'female' }, core),
    ]);
  });

  it('says when nothing applies, and refuses bad input', async () => {
    expect(await translate({ system: 'http://example.org/none', code: 'x' })).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: "No translation for 'x' of 'http://example.org/none': no mapping in 1 ConceptMap(s)" },
    ]);
    expect(await translate({ system: 'http://example.org/none', code: 'x', source: VS('none') })).toEqual([
      { name: 'result', valueBoolean: false },
      { name: 'message', valueString: "No translation for 'x' of 'http://example.org/none': no ConceptMap applies (name one with url, or give source or target)" },
    ]);
    await expectError(await get('/fhir/ConceptMap/$translate', { url: 'http://example.org/nope', system: CS, code: 'nurse' }), 404, /is not known/);
    await expectError(await get('/fhir/ConceptMap/$translate', { system: CS }), 400, /exactly one of/);
    await expectError(await get('/fhir/ConceptMap/$translate', { system: CS, code: 'nurse', reverse: 'yes' }), 400, /true or false/);
  });
});

describe('the CapabilityStatement', () => {
  it('lists the terminology operations with their R4 definitions', async () => {
    const res = await get('/fhir/metadata');
    const ops = (type: string) =>
      (res.body.rest[0].resource as Array<{ type: string; operation?: Array<{ name: string; definition: string }> }>)
        .find((r) => r.type === type)!
        .operation!.filter((o) => !o.name.startsWith('meta') && !['reindex', 'restore', 'validate'].includes(o.name));
    const def = (id: string) => `http://hl7.org/fhir/OperationDefinition/${id}`;
    expect(ops('ValueSet')).toEqual([
      { name: 'expand', definition: def('ValueSet-expand') },
      { name: 'validate-code', definition: def('ValueSet-validate-code') },
    ]);
    expect(ops('CodeSystem')).toEqual([
      { name: 'validate-code', definition: def('CodeSystem-validate-code') },
      { name: 'lookup', definition: def('CodeSystem-lookup') },
      { name: 'subsumes', definition: def('CodeSystem-subsumes') },
    ]);
    expect(ops('ConceptMap')).toEqual([{ name: 'translate', definition: def('ConceptMap-translate') }]);
  });
});
