/**
 * $validate and extensions: HL7's Extensions Pack, definitions stored on this server, the policy
 * for extensions nobody can resolve; and references between the resources of a Parameters.
 */
import type { OperationOutcome, OperationOutcomeIssue, StructureDefinition } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

const PARTNER = 'https://partner.test/fhir/StructureDefinition/';
const UNKNOWN = 'https://nobody.test/fhir/StructureDefinition/mystery';

let strict: TestServer;
let relaxed: TestServer;
beforeAll(async () => {
  strict = await startTestServer();
  relaxed = await startTestServer({ validateUnknownExtensions: 'warning', validateExtensionDomains: [PARTNER] });
});
afterAll(async () => {
  await Promise.all([strict?.close(), relaxed?.close()]);
});

async function issues(server: TestServer, resource: { resourceType: string } & Record<string, unknown>): Promise<OperationOutcomeIssue[]> {
  const response = await server.request.post(`/fhir/${resource.resourceType}/$validate`).send(resource);
  expect(response.status).toBe(200);
  return ((response.body as OperationOutcome).issue ?? []).filter((i) => i.severity !== 'information');
}

const patientWith = (extension: object[], modifierExtension?: object[]) => ({
  resourceType: 'Patient',
  ...(extension.length > 0 ? { extension } : {}),
  ...(modifierExtension ? { modifierExtension } : {}),
});

describe('extensions without a definition', () => {
  it('are errors by default, located at the extension', async () => {
    const found = await issues(strict, patientWith([{ url: UNKNOWN, valueString: 'x' }]));
    expect(found).toEqual([expect.objectContaining({ severity: 'error', code: 'structure', expression: ['Patient.extension[0]'] })]);
    expect(found[0]!.diagnostics).toContain(UNKNOWN);
  });

  it('are warnings under VALIDATE_UNKNOWN_EXTENSIONS=warning, and accepted from a listed domain', async () => {
    expect(await issues(relaxed, patientWith([{ url: UNKNOWN, valueString: 'x' }]))).toEqual([expect.objectContaining({ severity: 'warning', code: 'structure' })]);
    expect(await issues(relaxed, patientWith([{ url: `${PARTNER}anything`, valueString: 'x' }]))).toEqual([]);
  });

  it('are accepted from example domains', async () => {
    expect(await issues(strict, patientWith([{ url: 'http://example.org/fhir/StructureDefinition/demo', valueString: 'x' }]))).toEqual([]);
  });

  it('are always errors as modifier extensions, whatever the setting', async () => {
    const found = await issues(relaxed, patientWith([], [{ url: UNKNOWN, valueBoolean: true }]));
    expect(found).toEqual([expect.objectContaining({ severity: 'error', expression: ['Patient.modifierExtension[0]'] })]);
  });

  it('do not stop a write: a receiver may keep extensions it does not know', async () => {
    const created = await strict.request.post('/fhir/Patient').send(patientWith([{ url: UNKNOWN, valueString: 'kept' }]));
    expect(created.status).toBe(201);
    expect(created.body.extension).toEqual([{ url: UNKNOWN, valueString: 'kept' }]);
  });
});

describe('extension definitions', () => {
  it("HL7's Extensions Pack: narrativeLink is typed url, so valueUri is refused", async () => {
    const link = (value: object) => patientWith([{ url: 'http://hl7.org/fhir/StructureDefinition/narrativeLink', ...value }]);
    const wrong = await issues(strict, link({ valueUri: '#a1' }));
    // The type is not allowed, and so the url-typed value the definition requires is missing.
    expect(wrong.map((i) => [i.severity, i.expression?.[0]])).toEqual([
      ['error', 'Patient.extension[0].valueUri'],
      ['error', 'Patient.extension[0].value'],
    ]);
    expect(await issues(strict, link({ valueUrl: '#a1' }))).toEqual([]);
  });

  it('a definition stored on this server is found and checked', async () => {
    const ours = strict.container.definitions.profiles.structureDefinitions.find((sd) => sd.id === 'license-status')!;
    const url = `https://registry.test/fhir/StructureDefinition/status`;
    const stored: StructureDefinition = JSON.parse(JSON.stringify(ours).replaceAll(ours.url!, url));
    delete stored.id;
    expect((await strict.request.post('/fhir/StructureDefinition').send(stored)).status).toBe(201);
    // Typed code, bound to the license statuses: valueString is not allowed.
    const wrong = await issues(strict, patientWith([{ url, valueString: 'active' }]));
    expect(wrong.some((i) => i.severity === 'error' && /could not be found/.test(i.diagnostics ?? ''))).toBe(false);
    expect(wrong.filter((i) => i.severity === 'error').length).toBeGreaterThan(0);
    expect(await issues(strict, patientWith([{ url, valueCode: 'active' }]))).toEqual([]);
  });
});

describe('references between the resources of a Parameters', () => {
  const parameters = (beneficiary: string, extra: object[] = []) => ({
    resourceType: 'Parameters',
    parameter: [
      { name: 'MemberPatient', resource: { resourceType: 'Patient', id: '1' } },
      {
        name: 'Coverage',
        resource: { resourceType: 'Coverage', status: 'active', beneficiary: { reference: beneficiary }, payor: [{ reference: 'Organization/payer-on-server' }] },
      },
      ...extra,
    ],
  });

  it('a reference to a carried resource resolves; one to a type it carries none of is left to the server', async () => {
    expect(await issues(strict, parameters('Patient/1'))).toEqual([]);
  });

  it('a reference to a resource of a carried type that is not there is an error', async () => {
    const found = await issues(strict, parameters('Patient/2'));
    expect(found).toEqual([expect.objectContaining({ severity: 'error', code: 'not-found', expression: ['Parameters.parameter[1].resource.ofType(Coverage).beneficiary'] })]);
  });

  it('a urn:uuid reference resolves through parameters-fullUrl, else it is a warning', async () => {
    const uuid = 'urn:uuid:4f9a3a4e-0d64-4a4e-9a0e-3f0e7b7c2d11';
    const carried = {
      name: 'patient',
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/parameters-fullUrl', valueUri: uuid }],
      resource: { resourceType: 'Patient' },
    };
    const reference = { name: 'subject', valueReference: { reference: uuid } };
    expect(await issues(strict, { resourceType: 'Parameters', parameter: [reference, carried] })).toEqual([]);
    expect(await issues(strict, { resourceType: 'Parameters', parameter: [reference] })).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'not-found', expression: ['Parameters.parameter[0].value.ofType(Reference)'] }),
    ]);
  });
});
