/**
 * In-app notices (Communication.recipient = a Practitioner, e.g. the registry's license notices):
 * each professional reads and finds those addressed to them, whatever their role, and no other.
 */
import type { Bundle, Communication } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/auth/auth-context';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;
const ids: Record<string, string> = {};

const notice = (practitioner: string): Communication => ({
  resourceType: 'Communication',
  status: 'completed',
  category: [{ text: 'notification' }],
  recipient: [{ reference: `Practitioner/${practitioner}` }],
  payload: [{ contentString: `Notice for ${practitioner}` }],
});

const token = (role: Role, practitioner: string) =>
  server.container.auth.tokens.issue({ subject: `account-${practitioner}`, kind: 'user', role, clientId: 'test', scope: 'user/*.cruds', fhirUser: `Practitioner/${practitioner}` }).accessToken;

const get = (bearer: string, path: string) => server.request.get(`/fhir/${path}`).set('Authorization', `Bearer ${bearer}`).set('Accept', FHIR_JSON);

beforeAll(async () => {
  server = await startTestServer({ authEnabled: true });
  for (const who of ['doc', 'nurse', 'pharm', 'clerk', 'applicant', 'someone-else']) {
    await server.container.fhir.service.update('Practitioner', who, { resourceType: 'Practitioner', id: who });
    ids[who] = (await server.container.fhir.service.create('Communication', notice(who))).resource!.id!;
  }
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('notices addressed to a professional', () => {
  it.each<[Role, string]>([
    ['doctor', 'doc'],
    ['nurse', 'nurse'],
    ['pharmacist', 'pharm'],
    ['clerk', 'clerk'],
    ['applicant', 'applicant'],
  ])('a %s reads and finds its own notice only', async (role, who) => {
    const bearer = token(role, who);
    const own = await get(bearer, `Communication/${ids[who]}`);
    expect(own.status).toBe(200);
    expect(own.body.payload[0].contentString).toBe(`Notice for ${who}`);
    expect((await get(bearer, `Communication/${ids['someone-else']}`)).status).toBe(403);
    for (const query of ['Communication', `Communication?recipient=Practitioner/${who}`, 'Communication?recipient=Practitioner/someone-else']) {
      const found = await get(bearer, query);
      expect(found.status).toBe(200);
      const recipients = ((found.body as Bundle<Communication>).entry ?? []).map((e) => e.resource!.recipient![0]!.reference);
      expect(recipients, query).toEqual(query.endsWith('someone-else') ? [] : [`Practitioner/${who}`]);
    }
  });
});
