/**
 * Helpers of the license lifecycle tests (registry-lifecycle and registry-daily-run): licensed
 * Practitioner fixtures POSTed with licenseQualification(), the officer operations over HTTP, and
 * reads of what they leave (the Practitioner, Provenances, Communications, AuditEvents).
 */
import type { Bundle, Communication, OperationOutcome, Practitioner, Provenance, Resource } from '@medplum/fhirtypes';
import { expect } from 'vitest';
import type { Role } from '../../src/auth/auth-context';
import type { LicenseStatus } from '../../src/domain/licensing/license';
import { LICENSE_STATUS_EXTENSION, REGISTRY_PRACTITIONER_PROFILE, licenseQualification, today as todayOf } from '../../src/domain/licensing/license';
import { addDays } from '../../src/domain/licensing/lifecycle/dates';
import type { TestServer } from './server';
import { FHIR_JSON } from './server';

export const TODAY = todayOf();

/** An operation input: text, a flag, a date or a code. */
export type Value = string | boolean | { date: string } | { code: string };

export function lifecycleHelpers(serverOf: () => TestServer) {
  let serial = 0;

  function token(role: Role, fhirUser?: string, kind: 'user' | 'client' = 'user'): string {
    return serverOf().container.auth.tokens.issue({ subject: fhirUser ?? `account-${role}`, kind, role: kind === 'user' ? role : undefined, clientId: 'test', scope: 'user/*.cruds system/*.cruds', fhirUser }).accessToken;
  }
  const officer = () => token('registry-admin', 'Practitioner/officer1');
  const admin = () => token('admin');

  interface LicenseFixture {
    status?: LicenseStatus;
    start?: string;
    end?: string;
    number?: string;
  }

  /** A licensed Practitioner POSTed over HTTP (as an admin); returns its id and its license numbers. */
  async function licensed(options: { email?: string | null; licenses?: LicenseFixture[] } = {}): Promise<{ id: string; numbers: string[]; email: string }> {
    serial++;
    const email = options.email === undefined ? `pro${serial}.${Date.now()}@example.org` : (options.email ?? '');
    const fixtures = options.licenses ?? [{}];
    const numbers = fixtures.map((f, i) => f.number ?? `BAO-DOC-2026-${String(serial * 10 + i).padStart(5, '0')}`);
    const practitioner: Practitioner = {
      resourceType: 'Practitioner',
      // Claiming the profile: every version the operations write is checked against it.
      meta: { profile: [REGISTRY_PRACTITIONER_PROFILE] },
      active: true,
      name: [{ family: `Okafor${serial}`, given: ['Ada'] }],
      ...(email ? { telecom: [{ system: 'email', value: email, use: 'work' }] } : {}),
    };
    if (fixtures.length > 0) {
      practitioner.qualification = fixtures.map((f, i) =>
        licenseQualification({ number: numbers[i]!, professionalType: 'doctor', start: f.start ?? addDays(TODAY, -100), end: f.end ?? addDays(TODAY, 200), status: f.status ?? 'active' }),
      );
    }
    const res = await serverOf().request.post('/fhir/Practitioner').set('Authorization', `Bearer ${admin()}`).set('Content-Type', FHIR_JSON).send(practitioner);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id as string, numbers, email };
  }

  function parameters(values: Record<string, Value>): Resource {
    return {
      resourceType: 'Parameters',
      parameter: Object.entries(values).map(([name, v]) => {
        if (typeof v === 'boolean') return { name, valueBoolean: v };
        if (typeof v === 'string') return { name, valueString: v };
        return 'date' in v ? { name, valueDate: v.date } : { name, valueCode: v.code };
      }),
    } as Resource;
  }

  function op(id: string, code: string, values: Record<string, Value> = {}, bearer: string | null = officer()) {
    const req = serverOf().request.post(`/fhir/Practitioner/${id}/$${code}`).set('Content-Type', FHIR_JSON);
    if (bearer) req.set('Authorization', `Bearer ${bearer}`);
    return req.send(parameters(values));
  }

  async function search<T extends Resource>(query: string): Promise<T[]> {
    const res = await serverOf().request.get(`/fhir/${query}`).set('Authorization', `Bearer ${admin()}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return ((res.body as Bundle).entry ?? []).map((e) => e.resource as T);
  }

  async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const statusOf = (p: Practitioner, number: string) => p.qualification?.find((q) => q.identifier?.[0]?.value === number)?.extension?.find((e) => e.url === LICENSE_STATUS_EXTENSION)?.valueCode;

  async function stored(id: string): Promise<Practitioner> {
    const res = await serverOf().request.get(`/fhir/Practitioner/${id}`).set('Authorization', `Bearer ${admin()}`);
    return res.body as Practitioner;
  }

  /** The Provenances of a resource, oldest first (their targets are versioned references). */
  async function provenances(type: string, id: string): Promise<Provenance[]> {
    const all = await search<Provenance>(`Provenance?_count=100`);
    return all.filter((p) => p.target[0]?.reference?.startsWith(`${type}/${id}/_history/`)).sort((a, b) => a.recorded.localeCompare(b.recorded));
  }

  async function communications(id: string, count: number): Promise<Communication[]> {
    return eventually(async () => {
      const found = await search<Communication>(`Communication?recipient=Practitioner/${id}`);
      return found.length >= count ? found : undefined;
    });
  }

  async function auditEvents(what: string) {
    return search<Resource & { entity?: Array<{ what?: { reference?: string }; detail?: Array<{ type: string; valueString?: string }> }>; outcome?: string; agent: Array<{ who?: { reference?: string } }> }>(`AuditEvent?entity=${what}&_count=100`);
  }

  function expectOutcome(res: { status: number; body: unknown }, status: number, code: string, diagnostics?: RegExp): void {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    const outcome = res.body as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]?.code).toBe(code);
    if (diagnostics) expect(outcome.issue[0]?.diagnostics).toMatch(diagnostics);
  }

  return { token, officer, admin, licensed, parameters, op, search, eventually, statusOf, stored, provenances, communications, auditEvents, expectOutcome };
}
