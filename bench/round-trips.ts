/**
 * MongoDB round trips per interaction, measured exactly: N sequential requests of one kind while
 * the server counts the commands its driver starts (command monitoring), then divide.
 */
import { performance } from 'node:perf_hooks';
import type { Scenario, StoredPerRequest } from './load';

export interface RoundTrips {
  scenario: string;
  requests: number;
  perRequest: number;
  /** Commands per request by name, e.g. { insert: 2 }. */
  byCommand: Record<string, number>;
  /** Wall time of each request, ms (sent one at a time, so no queueing). */
  latenciesMs: number[];
  /** With `scenario.stored`: how many were stored per request (e.g. AuditEvents per read). */
  stored?: StoredPerRequest;
}

export async function sendOne(scenario: Scenario, n: number): Promise<Response> {
  const body = scenario.body?.(n);
  const headers: Record<string, string> = { accept: 'application/fhir+json', ...scenario.headers };
  if (body !== undefined) headers['content-type'] = 'application/fhir+json';
  return fetch(`${scenario.server.baseUrl}${scenario.path(n)}`, { method: scenario.method, headers, body });
}

export async function measureRoundTrips(scenario: Scenario, count: number, offset = 0): Promise<RoundTrips> {
  // One request first, not counted: caches that fill on first use (compiled profiles, terminology
  // resolutions, renewed every few seconds under load) are not a per-request cost.
  await (await sendOne(scenario, offset + count)).arrayBuffer();
  await scenario.server.idle();
  const storedBefore = await scenario.stored?.count();
  await scenario.server.measureStart();
  const latenciesMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const sent = performance.now();
    const response = await sendOne(scenario, offset + i);
    const text = await response.text();
    latenciesMs.push(performance.now() - sent);
    if (response.status !== scenario.expectedStatus) {
      await scenario.server.measureStop();
      throw new Error(`${scenario.name}: expected ${scenario.expectedStatus}, got ${response.status}: ${text.slice(0, 500)}`);
    }
  }
  // Writes made in the background (AuditEvents, stored in batches) count for the requests that caused them.
  await scenario.server.idle();
  const { commands } = await scenario.server.measureStop();
  const storedAfter = await scenario.stored?.count();
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [name, n] of Object.entries(commands)) {
    byCommand[name] = n / count;
    total += n;
  }
  const stored =
    scenario.stored && storedBefore !== undefined && storedAfter !== undefined
      ? { what: scenario.stored.what, perRequest: (storedAfter - storedBefore) / count }
      : undefined;
  return { scenario: scenario.name, requests: count, perRequest: total / count, byCommand, latenciesMs, stored };
}
