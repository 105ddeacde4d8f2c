/**
 * Transaction ingest: N concurrent clients POST cloned Synthea transaction Bundles to
 * `POST /fhir` from one shared queue, with the same CPU accounting as the autocannon scenarios
 * (bench/load.ts), and the MongoDB round trips per bundle counted in a monitored server process.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from 'mongodb';
import { engineCpu } from './load';
import { machineTicks } from './machine';
import type { Measurement } from './protocol';
import type { ServerHandle } from './server-handle';
import type { ClonedBundle } from './synthea-clones';

export interface IngestSettings {
  clients: number;
  /** PIDs of the database engine's processes (when local), for its CPU time. */
  enginePids: number[];
  /** Prefer header to send (none: the server's default, return=representation). */
  prefer?: string;
  /** Names the server's CPU profile of the measured window, when it profiles. */
  label?: string;
}

export interface IngestResult {
  clients: number;
  bundles: number;
  resources: number;
  wallMs: number;
  resourcesPerSecond: number;
  bundlesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  server: Measurement;
  /** CPU of this (driver) process over the run, ms. */
  loadGeneratorCpuMs: number;
  /** CPU of the local database engine over the run, ms (undefined with MONGODB_URL). */
  engineCpuMs?: number;
  /** Share of all CPUs of the machine that was busy during the run, 0..1. */
  machineBusy?: number;
}

export interface IngestRoundTrips {
  bundles: number;
  /** Mean entries per sampled bundle. */
  entriesPerBundle: number;
  perBundle: number;
  perResource: number;
  /** Commands per bundle by name, e.g. { insert: 4, update: 2 }. */
  byCommand: Record<string, number>;
  /** The most any sampled bundle needed, and that bundle's entries. */
  max: { roundTrips: number; entries: number };
  /** Whether every sampled bundle needed fewer round trips than it has entries. */
  fewerThanEntries: boolean;
}

interface TransactionResponse {
  resourceType?: string;
  type?: string;
  entry?: Array<{ response?: { status?: string } }>;
}

/** Posts one bundle; returns undefined when it was stored as expected (200, every entry 201), else why not. */
export async function postBundle(server: ServerHandle, bundle: ClonedBundle, prefer?: string): Promise<string | undefined> {
  const headers: Record<string, string> = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
  if (prefer) headers.prefer = prefer;
  let text: string;
  let status: number;
  try {
    // A view on the Buffer's bytes, no copy: the DOM lib's BodyInit (pulled in by some dependencies' types) takes no Buffer.
    const body = new Uint8Array(bundle.body.buffer as ArrayBuffer, bundle.body.byteOffset, bundle.body.byteLength);
    const response = await fetch(`${server.baseUrl}/fhir`, { method: 'POST', headers, body });
    status = response.status;
    text = await response.text();
  } catch (err) {
    return `${bundle.name}: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (status !== 200) return `${bundle.name}: HTTP ${status}: ${text.slice(0, 500)}`;
  const result = JSON.parse(text) as TransactionResponse;
  const entries = result.entry ?? [];
  if (result.type !== 'transaction-response' || entries.length !== bundle.entries) {
    return `${bundle.name}: expected a transaction-response with ${bundle.entries} entries, got ${result.type} with ${entries.length}`;
  }
  const bad = entries.findIndex((e) => !e.response?.status?.startsWith('201'));
  return bad >= 0 ? `${bundle.name}: entry ${bad} answered ${entries[bad]!.response?.status}, not 201` : undefined;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Posts every bundle, `clients` at a time, in queue order; throws on the first failure (after in-flight bundles finish). */
export async function runIngest(server: ServerHandle, bundles: ClonedBundle[], settings: IngestSettings): Promise<IngestResult> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const client = async () => {
    while (failures.length === 0 && next < bundles.length) {
      const bundle = bundles[next++]!;
      const sent = performance.now();
      const failure = await postBundle(server, bundle, settings.prefer);
      latencies.push(performance.now() - sent);
      if (failure) failures.push(failure);
    }
  };

  const engineBefore = engineCpu(settings.enginePids);
  const machineBefore = machineTicks();
  const driverBefore = process.cpuUsage();
  await server.measureStart(settings.label);
  const started = performance.now();
  await Promise.all(Array.from({ length: settings.clients }, client));
  const wallMs = performance.now() - started;
  const measurement = await server.measureStop();
  const driver = process.cpuUsage(driverBefore);
  const machineAfter = machineTicks();
  const engineAfter = engineCpu(settings.enginePids);

  if (failures.length > 0) {
    throw new Error(`ingest with ${settings.clients} client(s): ${failures.length} of ${latencies.length} bundles failed; first: ${failures[0]}`);
  }
  const resources = bundles.reduce((n, b) => n + b.entries, 0);
  latencies.sort((a, b) => a - b);
  return {
    clients: settings.clients,
    bundles: bundles.length,
    resources,
    wallMs,
    resourcesPerSecond: resources / (wallMs / 1000),
    bundlesPerSecond: bundles.length / (wallMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    server: measurement,
    loadGeneratorCpuMs: (driver.user + driver.system) / 1000,
    engineCpuMs: engineBefore !== undefined && engineAfter !== undefined ? engineAfter - engineBefore : undefined,
    machineBusy:
      machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total) : undefined,
  };
}

/** Sequential bundles against a server that counts its MongoDB commands (monitorCommands), one window per bundle. */
export async function measureIngestRoundTrips(counter: ServerHandle, bundles: ClonedBundle[], prefer?: string): Promise<IngestRoundTrips> {
  const totals: Record<string, number> = {};
  let roundTrips = 0;
  let entries = 0;
  let max = { roundTrips: 0, entries: 0 };
  let fewerThanEntries = true;
  for (const bundle of bundles) {
    await counter.measureStart();
    const failure = await postBundle(counter, bundle, prefer);
    const { commands } = await counter.measureStop();
    if (failure) throw new Error(`round trips of ingest: ${failure}`);
    const own = Object.values(commands).reduce((a, b) => a + b, 0);
    for (const [name, n] of Object.entries(commands)) totals[name] = (totals[name] ?? 0) + n;
    roundTrips += own;
    entries += bundle.entries;
    if (own > max.roundTrips) max = { roundTrips: own, entries: bundle.entries };
    if (own >= bundle.entries) fewerThanEntries = false;
  }
  const byCommand = Object.fromEntries(Object.entries(totals).map(([name, n]) => [name, n / bundles.length]));
  return {
    bundles: bundles.length,
    entriesPerBundle: entries / bundles.length,
    perBundle: roundTrips / bundles.length,
    perResource: roundTrips / entries,
    byCommand,
    max,
    fewerThanEntries,
  };
}

/**
 * Removes what ingest stored, so that every run starts from the same store: all resources of the
 * ingested types except Patient, and their history (Patients are left to the caller's resetStore,
 * which keeps the Patient scenarios' own).
 */
export async function clearIngested(db: Db, resourceTypes: string[]): Promise<void> {
  const types = resourceTypes.filter((t) => t !== 'Patient');
  for (const type of types) await db.collection(type).deleteMany({});
  await db.collection('history').deleteMany({ t: { $in: types } });
}
