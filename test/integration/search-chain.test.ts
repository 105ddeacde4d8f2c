/**
 * Untyped chains follow only the target types that have the next parameter, and a chain no
 * target can follow is an unknown parameter (ignored and reported, or 400 under strict).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server';
import { FHIR_JSON, startTestServer } from '../helpers/server';

let server: TestServer;

async function put(resource: Record<string, unknown>): Promise<void> {
  const res = await server.request.put(`/fhir/${resource.resourceType}/${resource.id}`).set('Content-Type', FHIR_JSON).send(resource);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

beforeAll(async () => {
  server = await startTestServer();
  await put({ resourceType: 'Organization', id: 'hosp', name: 'Ikeja General' });
  await put({ resourceType: 'Encounter', id: 'enc', status: 'finished', class: { code: 'AMB' }, serviceProvider: { reference: 'Organization/hosp' } });
  await put({ resourceType: 'Observation', id: 'obs', status: 'final', code: { text: 'x' }, encounter: { reference: 'Encounter/enc' } });
});
afterAll(async () => {
  await server?.close();
});

describe('chains over several target types', () => {
  it('follows the targets that have the next parameter, without a warning', async () => {
    const res = await server.request.get('/fhir/Observation?encounter.service-provider.name=ikeja').set('Prefer', 'handling=strict');
    expect(res.status).toBe(200);
    expect(res.body.entry.map((e: { resource: { id: string }; search: { mode: string } }) => `${e.search.mode}:${e.resource.id}`)).toEqual(['match:obs']);
  });

  it('treats a chain no target can follow as an unknown parameter', async () => {
    expect((await server.request.get('/fhir/Observation?encounter.shoe-size=1').set('Prefer', 'handling=strict')).status).toBe(400);
    const lenient = await server.request.get('/fhir/Observation?encounter.shoe-size=1');
    expect(lenient.status).toBe(200);
    const modes = lenient.body.entry.map((e: { search: { mode: string } }) => e.search.mode);
    expect(modes).toEqual(['match', 'outcome']);
    // Reported under the parameter sent, which the self link leaves out, as any ignored one.
    const outcome = lenient.body.entry.find((e: { search: { mode: string } }) => e.search.mode === 'outcome').resource;
    expect(outcome.issue[0].expression).toEqual(['encounter.shoe-size']);
    const self = lenient.body.link.find((l: { relation: string }) => l.relation === 'self').url as string;
    expect(self).not.toContain('shoe-size');
    const typed = await server.request.get('/fhir/Observation?subject:Patient.foo=bar&_has:Observation:subject:nothing=1&status=final');
    const typedSelf = typed.body.link.find((l: { relation: string }) => l.relation === 'self').url as string;
    expect(typedSelf).toContain('status=final');
    expect(typedSelf).not.toContain('foo');
    expect(typedSelf).not.toContain('_has');
  });
});
