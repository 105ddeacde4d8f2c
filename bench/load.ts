/** One measured load run: autocannon against a server process, with CPU accounting around it. */
import autocannon from 'autocannon';
import type { AutocannonRequest, AutocannonResult } from 'autocannon';
import { machineTicks, processCpuMs } from './machine';
import type { Measurement } from './protocol';
import type { ServerHandle } from './server-handle';

export interface Scenario {
  name: string;
  /** The bare-express scenario this one is compared with (undefined for the bare ones). */
  baseline?: string;
  server: ServerHandle;
  method: 'GET' | 'POST' | 'PUT';
  /** Path for the n-th request (rotating ids). */
  path(n: number): string;
  /** Body for the n-th request. */
  body?(n: number): string;
  /** Headers sent with every request besides Accept and Content-Type (e.g. Authorization). */
  headers?: Record<string, string>;
  expectedStatus: number;
  /**
   * What the requests store besides their answer, in the background (AuditEvents): counted in the
   * store before and after each measured window, with the server idle and flushed at both ends.
   */
  stored?: StoredCounter;
}

export interface StoredCounter {
  /** What is counted, e.g. `AuditEvents`. */
  what: string;
  count(): Promise<number>;
}

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** PIDs of the database engine's processes (when local), for its CPU time. */
  enginePids: number[];
  /**
   * Wait until the server has finished every request before measuring, and before closing the
   * measured window; CPU is then per request the server handled in it. For requests slow enough
   * that the ones left in flight by the warm-up, or by the previous scenario, would be a
   * noticeable part of the window.
   */
  drain?: boolean;
}

export interface LoadResult {
  scenario: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  server: Measurement;
  /** CPU of the driver process (autocannon) over the run, ms. */
  loadGeneratorCpuMs: number;
  /** CPU of the local database engine over the run, ms (undefined with MONGODB_URL). */
  engineCpuMs?: number;
  /** Share of all CPUs of the machine that was busy during the run, 0..1. */
  machineBusy?: number;
  /** With `scenario.stored`: how many were stored per request the server handled in the window. */
  stored?: StoredPerRequest;
}

export interface StoredPerRequest {
  what: string;
  perRequest: number;
}

function requests(scenario: Scenario): AutocannonRequest[] {
  let n = 0;
  const headers: Record<string, string> = { accept: 'application/fhir+json', ...scenario.headers };
  if (scenario.body) headers['content-type'] = 'application/fhir+json';
  return [
    {
      method: scenario.method,
      headers,
      setupRequest: (request) => {
        const i = n++;
        request.path = scenario.path(i);
        if (scenario.body) request.body = scenario.body(i);
        return request;
      },
    },
  ];
}

function cannon(scenario: Scenario, settings: LoadSettings, seconds: number): Promise<AutocannonResult> {
  return autocannon({
    url: scenario.server.baseUrl,
    connections: settings.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 30,
    requests: requests(scenario),
  });
}

/** `label` names the server's CPU profile of the measured window, when it profiles. */
export async function runLoad(scenario: Scenario, settings: LoadSettings, label?: string): Promise<LoadResult> {
  if (settings.warmupSeconds > 0) await cannon(scenario, settings, settings.warmupSeconds);
  // Counting what the requests store in the background needs every earlier request's writes done.
  const drain = settings.drain || scenario.stored !== undefined;
  if (drain) await scenario.server.idle();
  const storedBefore = await scenario.stored?.count();

  const engineBefore = engineCpu(settings.enginePids);
  const machineBefore = machineTicks();
  const driverBefore = process.cpuUsage();
  await scenario.server.measureStart(label);
  const result = await cannon(scenario, settings, settings.durationSeconds);
  if (drain) await scenario.server.idle();
  const server = await scenario.server.measureStop();
  const driver = process.cpuUsage(driverBefore);
  const machineAfter = machineTicks();
  const engineAfter = engineCpu(settings.enginePids);
  const storedAfter = await scenario.stored?.count();

  const completed = result.requests.total;
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) {
    console.warn(`  ! ${scenario.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return {
    scenario: scenario.name,
    // Drained, the window holds the work of every request the server handled in it.
    requests: settings.drain ? server.requests : completed,
    requestsPerSecond: completed / ((result.finish.getTime() - result.start.getTime()) / 1000),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    server,
    loadGeneratorCpuMs: (driver.user + driver.system) / 1000,
    engineCpuMs: engineBefore !== undefined && engineAfter !== undefined ? engineAfter - engineBefore : undefined,
    machineBusy:
      machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total) : undefined,
    stored:
      scenario.stored && storedBefore !== undefined && storedAfter !== undefined
        ? { what: scenario.stored.what, perRequest: (storedAfter - storedBefore) / server.requests }
        : undefined,
  };
}

/** CPU of the local database engine's processes so far, ms (undefined when there are none or /proc is unreadable). */
export function engineCpu(pids: number[]): number | undefined {
  if (pids.length === 0) return undefined;
  let total = 0;
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms === undefined) return undefined;
    total += ms;
  }
  return total;
}
