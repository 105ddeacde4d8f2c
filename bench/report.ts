/** Aggregates the rounds (medians), prints the table and writes it into BENCHMARKS.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IngestResult, IngestRoundTrips } from './ingest';
import type { LoadResult, StoredPerRequest } from './load';
import type { MachineInfo } from './machine';
import type { RoundTrips } from './round-trips';
import type { QueryProbe, SearchQuery } from './search';

export const START_MARKER = '<!-- bench:results:start -->';
export const END_MARKER = '<!-- bench:results:end -->';

export interface Target {
  scenario: string;
  /** Minimum ratio of its throughput to its baseline's. */
  minRatio?: number;
  /** Maximum MongoDB round trips per interaction. */
  maxRoundTrips?: number;
}

export interface RunInfo {
  date: Date;
  machine: MachineInfo;
  engine: string;
  storedPatients: number;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  roundTripRequests: number;
  /** The bare scenario each Baobab scenario is compared with. */
  baselines: Record<string, string>;
  /** The bare-express-plus-MongoDB scenario each Baobab scenario is also compared with. */
  floors: Record<string, string>;
  targets: Target[];
  notes: string[];
}

export interface Row {
  scenario: string;
  baseline?: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ratio?: number;
  floor?: string;
  floorRatio?: number;
  serverCpuMsPerRequest: number;
  cpuRatio?: number;
  eventLoopUtilization: number;
  gcMsPerRequest: number;
  loadGeneratorCpuMsPerRequest: number;
  engineCpuMsPerRequest?: number;
  machineBusy?: number;
  roundTrips?: RoundTrips;
  /** What the requests stored in the background (AuditEvents) per request handled, median of rounds. */
  stored?: StoredPerRequest;
  perRound: number[];
  failures: number;
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const cpuMsPerRequest = (r: LoadResult) => (r.server.userMicros + r.server.systemMicros) / 1000 / r.requests;

/** rounds[i] holds every scenario's result of round i. */
export function aggregate(
  rounds: Array<Map<string, LoadResult>>,
  info: Pick<RunInfo, 'baselines' | 'floors'>,
  roundTrips: Map<string, RoundTrips>,
): Row[] {
  const names = [...(rounds[0]?.keys() ?? [])];
  return names.map((scenario) => {
    const results = rounds.map((round) => round.get(scenario)).filter((r): r is LoadResult => r !== undefined);
    const own = scenario.replace(/ \(candidate\)$/, '');
    const baseline = info.baselines[own];
    const floor = info.floors[own];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const floorRatios: number[] = [];
    for (const round of rounds) {
      const own = round.get(scenario);
      const base = baseline ? round.get(baseline) : undefined;
      const low = floor ? round.get(floor) : undefined;
      if (own && base) {
        ratios.push(own.requestsPerSecond / base.requestsPerSecond);
        cpuRatios.push(cpuMsPerRequest(own) / cpuMsPerRequest(base));
      }
      if (own && low) floorRatios.push(own.requestsPerSecond / low.requestsPerSecond);
    }
    const engine = results.map((r) => (r.engineCpuMs === undefined ? NaN : r.engineCpuMs / r.requests));
    const busy = results.map((r) => r.machineBusy ?? NaN);
    const stored = results.flatMap((r) => (r.stored ? [r.stored] : []));
    return {
      scenario,
      baseline,
      requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      ratio: ratios.length > 0 ? median(ratios) : undefined,
      floor,
      floorRatio: floorRatios.length > 0 ? median(floorRatios) : undefined,
      serverCpuMsPerRequest: median(results.map(cpuMsPerRequest)),
      cpuRatio: cpuRatios.length > 0 ? median(cpuRatios) : undefined,
      eventLoopUtilization: median(results.map((r) => r.server.eventLoopUtilization)),
      gcMsPerRequest: median(results.map((r) => r.server.gcMs / r.requests)),
      loadGeneratorCpuMsPerRequest: median(results.map((r) => r.loadGeneratorCpuMs / r.requests)),
      engineCpuMsPerRequest: engine.some(Number.isFinite) ? median(engine) : undefined,
      machineBusy: busy.some(Number.isFinite) ? median(busy) : undefined,
      roundTrips: roundTrips.get(scenario),
      stored: stored.length > 0 ? { what: stored[0]!.what, perRequest: median(stored.map((s) => s.perRequest)) } : undefined,
      perRound: results.map((r) => r.requestsPerSecond),
      failures: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
    };
  });
}

export interface Verdict {
  scenario: string;
  what: string;
  ok: boolean;
}

export function verdicts(rows: Row[], targets: Target[]): Verdict[] {
  const out: Verdict[] = [];
  for (const target of targets) {
    for (const row of rows.filter((r) => r.scenario.replace(/ \(candidate\)$/, '') === target.scenario)) {
      if (target.minRatio !== undefined && row.ratio !== undefined) {
        out.push({
          scenario: row.scenario,
          what: `throughput ≥ ${target.minRatio} × ${row.baseline}: ${fmt(row.ratio, 2)}`,
          ok: row.ratio >= target.minRatio,
        });
      }
      if (target.maxRoundTrips !== undefined && row.roundTrips) {
        out.push({
          scenario: row.scenario,
          what: `MongoDB round trips ≤ ${target.maxRoundTrips}: ${fmt(row.roundTrips.perRequest, 2)}`,
          ok: row.roundTrips.perRequest <= target.maxRoundTrips,
        });
      }
      if (row.failures > 0) out.push({ scenario: row.scenario, what: `${row.failures} failed requests`, ok: false });
    }
  }
  return out;
}

function fmt(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** One line per scenario whose requests store something in the background (AuditEvents per read). */
export function storedLines(rows: Row[]): string[] {
  return rows
    .filter((r) => r.stored || r.roundTrips?.stored)
    .map((r) => {
      const what = r.stored?.what ?? r.roundTrips!.stored!.what;
      const sample = r.roundTrips?.stored ? `; ${fmt(r.roundTrips.stored.perRequest, 2)} in the ${r.roundTrips.requests} sequential requests of the round-trip count` : '';
      return `${r.scenario}: ${what} stored per request ${fmt(r.stored?.perRequest, 2)} under load (per request the server handled in the measured window)${sample}`;
    });
}

function commandsText(rt: RoundTrips | undefined): string {
  if (!rt) return '–';
  const parts = Object.entries(rt.byCommand).map(([name, n]) => `${name} ${Number.isInteger(n) ? n : n.toFixed(2)}`);
  return `${fmt(rt.perRequest, 2)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

export function markdown(rows: Row[], info: RunInfo, results: Verdict[]): string {
  const m = info.machine;
  const lines: string[] = [];
  lines.push(`## Latest results`, '');
  lines.push(`Generated by \`npm run bench\` on ${info.date.toISOString()}.`, '');
  lines.push(
    `- Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; load average at start ${m.loadAverage.join(' / ')}`,
    `- MongoDB engine: ${info.engine}`,
    `- ${info.storedPatients} Patients stored before each scenario; ${info.connections} connections; ` +
      `${info.warmupSeconds} s warm-up + ${info.durationSeconds} s measured per scenario; ${info.rounds} round(s), medians shown; ` +
      `round trips from ${info.roundTripRequests} sequential requests per interaction`,
    ...info.notes.map((note) => `- ${note}`),
    '',
  );
  lines.push(
    '| Scenario | req/s | p50 ms | p99 ms | × bare | × bare+MongoDB | server CPU ms/req | CPU × bare | event loop busy | GC ms/req | load generator CPU ms/req | engine CPU ms/req | machine busy | MongoDB round trips / request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const r of rows) {
    lines.push(
      `| ${r.scenario} | ${fmt(r.requestsPerSecond, 0)} | ${fmt(r.p50Ms, 1)} | ${fmt(r.p99Ms, 1)} | ${fmt(r.ratio, 2)} | ${fmt(r.floorRatio, 2)} | ` +
        `${fmt(r.serverCpuMsPerRequest, 3)} | ${fmt(r.cpuRatio, 2)} | ${fmt(r.eventLoopUtilization * 100, 0)} % | ` +
        `${fmt(r.gcMsPerRequest, 3)} | ${fmt(r.loadGeneratorCpuMsPerRequest, 3)} | ${fmt(r.engineCpuMsPerRequest, 3)} | ` +
        `${r.machineBusy === undefined ? '–' : `${fmt(r.machineBusy * 100, 0)} %`} | ` +
        `${commandsText(r.roundTrips)} |`,
    );
  }
  lines.push('', 'Throughput of each round (req/s): ' + rows.map((r) => `${r.scenario} ${r.perRound.map((v) => v.toFixed(0)).join(' / ')}`).join('; ') + '.', '');
  const stored = storedLines(rows);
  if (stored.length > 0) lines.push(...stored.map((line) => `- ${line}.`), '');
  lines.push('Targets:', '');
  for (const v of results) lines.push(`- ${v.ok ? '✅' : '❌'} ${v.scenario}: ${v.what}`);
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------- transaction ingest

export interface IngestRow {
  clients: number;
  resourcesPerSecond: number;
  bundlesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerResource: number;
  eventLoopUtilization: number;
  loadGeneratorCpuMsPerResource: number;
  engineCpuMsPerResource?: number;
  machineBusy?: number;
  /** resources/s of each round. */
  perRound: number[];
}

export interface IngestSummary {
  rows: IngestRow[];
  roundTrips: IngestRoundTrips;
  /** What one measured run posts. */
  resourcesPerRun: number;
  bundlesPerRun: number;
  warmupResources: number;
  prefer?: string;
  target: { clients: number; minResourcesPerSecond: number };
}

/** Medians over rounds, one row per number of clients. */
export function aggregateIngest(results: IngestResult[]): IngestRow[] {
  const clients = [...new Set(results.map((r) => r.clients))].sort((a, b) => a - b);
  return clients.map((n) => {
    const own = results.filter((r) => r.clients === n);
    const engine = own.map((r) => (r.engineCpuMs === undefined ? NaN : r.engineCpuMs / r.resources));
    const busy = own.map((r) => r.machineBusy ?? NaN);
    return {
      clients: n,
      resourcesPerSecond: median(own.map((r) => r.resourcesPerSecond)),
      bundlesPerSecond: median(own.map((r) => r.bundlesPerSecond)),
      p50Ms: median(own.map((r) => r.p50Ms)),
      p99Ms: median(own.map((r) => r.p99Ms)),
      serverCpuMsPerResource: median(own.map((r) => (r.server.userMicros + r.server.systemMicros) / 1000 / r.resources)),
      eventLoopUtilization: median(own.map((r) => r.server.eventLoopUtilization)),
      loadGeneratorCpuMsPerResource: median(own.map((r) => r.loadGeneratorCpuMs / r.resources)),
      engineCpuMsPerResource: engine.some(Number.isFinite) ? median(engine) : undefined,
      machineBusy: busy.some(Number.isFinite) ? median(busy) : undefined,
      perRound: own.map((r) => r.resourcesPerSecond),
    };
  });
}

export function ingestVerdicts(summary: IngestSummary): Verdict[] {
  const out: Verdict[] = [];
  const { clients, minResourcesPerSecond } = summary.target;
  const row = summary.rows.find((r) => r.clients === clients);
  if (row) {
    out.push({
      scenario: `ingest, ${clients} clients`,
      what: `≥ ${minResourcesPerSecond} resources/s: ${fmt(row.resourcesPerSecond, 0)}`,
      ok: row.resourcesPerSecond >= minResourcesPerSecond,
    });
  }
  const rt = summary.roundTrips;
  out.push({
    scenario: 'ingest',
    what:
      `MongoDB round trips per bundle bounded (fewer than its entries, every sampled bundle): ` +
      `${fmt(rt.perBundle, 1)} per bundle of ${fmt(rt.entriesPerBundle, 1)} entries on average (${fmt(rt.perResource, 2)} per resource); ` +
      `most ${rt.max.roundTrips} for a bundle of ${rt.max.entries} entries`,
    ok: rt.fewerThanEntries,
  });
  return out;
}

function ingestCommandsText(rt: IngestRoundTrips): string {
  return Object.entries(rt.byCommand)
    .sort(([, a], [, b]) => b - a)
    .map(([name, n]) => `${name} ${Number.isInteger(n) ? n : n.toFixed(1)}`)
    .join(', ');
}

const percent = (share: number | undefined) => (share === undefined ? '–' : `${fmt(share * 100, 0)} %`);

export function ingestMarkdown(summary: IngestSummary, results: Verdict[]): string {
  const rt = summary.roundTrips;
  const lines = ['### Transaction ingest', ''];
  lines.push(
    `- Synthea transaction Bundles cloned with fresh ids (bench/synthea-clones.ts), \`POST /fhir\`; ${summary.resourcesPerRun} resources in ${summary.bundlesPerRun} bundles per measured run, ` +
      `from one queue shared by the clients; ` +
      `${summary.warmupResources > 0 ? `${summary.warmupResources} resources posted unmeasured first` : 'no warm-up'}; the ingested resources are deleted after each run.`,
    `- Prefer header: ${summary.prefer ? `\`${summary.prefer}\`` : 'none (the server answers with every resource, return=representation)'}.`,
    `- Round trips from ${rt.bundles} bundles posted one at a time to the monitored Baobab process: ${fmt(rt.perBundle, 1)} per bundle ` +
      `(${ingestCommandsText(rt)}), ${fmt(rt.perResource, 2)} per resource; bundles of ${fmt(rt.entriesPerBundle, 1)} entries on average.`,
    '',
    '| Clients | resources/s | bundles/s | p50 ms/bundle | p99 ms/bundle | server CPU ms/resource | event loop busy | load generator CPU ms/resource | engine CPU ms/resource | machine busy | MongoDB round trips / bundle | / resource |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of summary.rows) {
    lines.push(
      `| ${r.clients} | ${fmt(r.resourcesPerSecond, 0)} | ${fmt(r.bundlesPerSecond, 1)} | ${fmt(r.p50Ms, 0)} | ${fmt(r.p99Ms, 0)} | ` +
        `${fmt(r.serverCpuMsPerResource, 3)} | ${percent(r.eventLoopUtilization)} | ${fmt(r.loadGeneratorCpuMsPerResource, 3)} | ` +
        `${fmt(r.engineCpuMsPerResource, 3)} | ${percent(r.machineBusy)} | ${fmt(rt.perBundle, 1)} | ${fmt(rt.perResource, 2)} |`,
    );
  }
  lines.push('', 'Throughput of each round (resources/s): ' + summary.rows.map((r) => `${r.clients} client(s) ${r.perRound.map((v) => v.toFixed(0)).join(' / ')}`).join('; ') + '.', '');
  lines.push('Targets:', '');
  for (const v of results) lines.push(`- ${v.ok ? '✅ PASS' : '❌ FAIL'} ${v.scenario}: ${v.what}`);
  lines.push('');
  return lines.join('\n');
}

export function ingestConsoleTable(summary: IngestSummary): string {
  const rt = summary.roundTrips;
  const header = ['clients', 'resources/s', 'bundles/s', 'p50 ms', 'p99 ms', 'cpu ms/res', 'ELU', 'gen ms/res', 'engine ms/res', 'busy'];
  const body = summary.rows.map((r) => [
    String(r.clients),
    fmt(r.resourcesPerSecond, 0),
    fmt(r.bundlesPerSecond, 1),
    fmt(r.p50Ms, 0),
    fmt(r.p99Ms, 0),
    fmt(r.serverCpuMsPerResource, 3),
    percent(r.eventLoopUtilization),
    fmt(r.loadGeneratorCpuMsPerResource, 3),
    fmt(r.engineCpuMsPerResource, 3),
    percent(r.machineBusy),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [
    line(header),
    ...body.map(line),
    `mongo round trips: ${fmt(rt.perBundle, 1)} per bundle (${ingestCommandsText(rt)}), ${fmt(rt.perResource, 2)} per resource, ` +
      `${fmt(rt.entriesPerBundle, 1)} entries per bundle (${rt.bundles} bundles sampled)`,
  ].join('\n');
}

export function writeBenchmarksFile(file: string, section: string): void {
  const block = `${START_MARKER}\n${section}\n${END_MARKER}`;
  if (!existsSync(file)) {
    writeFileSync(file, `# Benchmarks\n\n${block}\n`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  const updated =
    start >= 0 && end > start ? text.slice(0, start) + block + text.slice(end + END_MARKER.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, updated);
}

/** A compact table for the terminal. */
export function consoleTable(rows: Row[]): string {
  const header = ['scenario', 'req/s', 'p50', 'p99', '×bare', '×bare+db', 'cpu ms/req', 'cpu×bare', 'ELU', 'gen ms/req', 'engine ms/req', 'busy', 'mongo rt/req'];
  const body = rows.map((r) => [
    r.scenario,
    fmt(r.requestsPerSecond, 0),
    fmt(r.p50Ms, 1),
    fmt(r.p99Ms, 1),
    fmt(r.ratio, 2),
    fmt(r.floorRatio, 2),
    fmt(r.serverCpuMsPerRequest, 3),
    fmt(r.cpuRatio, 2),
    `${fmt(r.eventLoopUtilization * 100, 0)}%`,
    fmt(r.loadGeneratorCpuMsPerRequest, 3),
    fmt(r.engineCpuMsPerRequest, 3),
    r.machineBusy === undefined ? '–' : `${fmt(r.machineBusy * 100, 0)}%`,
    r.roundTrips ? commandsText(r.roundTrips) : '–',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line), ...storedLines(rows)].join('\n');
}

// ---------------------------------------------------------------- search

export interface SearchQueryInfo extends Omit<SearchQuery, 'paths'> {
  /** Distinct values rotated over, and the first request, for the table. */
  values: number;
  example: string;
  probe: QueryProbe;
}

export interface SearchSummary {
  rows: Row[];
  queries: SearchQueryInfo[];
  resources: number;
  bundles: number;
  loadResourcesPerSecond: number;
  roundTripRequests: number;
  connections: number;
}

export function searchVerdicts(summary: SearchSummary): Verdict[] {
  const out: Verdict[] = [];
  for (const query of summary.queries) {
    const row = summary.rows.find((r) => r.scenario === query.name);
    const rt = row?.roundTrips;
    out.push({
      scenario: `search ${query.shape}`,
      what: `round trips ≤ 1 + includes + chain levels (${query.expectedRoundTrips}): ${rt ? commandsText(rt) : 'not measured'}`,
      ok: rt !== undefined && rt.perRequest <= query.expectedRoundTrips,
    });
    const { empty, problems } = query.probe;
    if (empty > 0) out.push({ scenario: `search ${query.shape}`, what: `${empty} of ${query.values} values matched nothing`, ok: false });
    if (problems.length > 0) out.push({ scenario: `search ${query.shape}`, what: `${problems.length} problem(s), first: ${problems[0]!.replace(/\s+/g, ' ').slice(0, 300)}`, ok: false });
    if (row && row.failures > 0) out.push({ scenario: `search ${query.shape}`, what: `${row.failures} failed requests under load`, ok: false });
    if (row && !(row.requestsPerSecond > 0)) out.push({ scenario: `search ${query.shape}`, what: 'no search completed under load', ok: false });
  }
  return out;
}

/** Median time of a search sent alone (the sequential round-trip requests). */
const aloneMs = (row: Row | undefined) => (row?.roundTrips ? median(row.roundTrips.latenciesMs) : undefined);

/** A request path as a markdown table cell: decoded for reading, pipes escaped. */
function pathCell(path: string): string {
  let text = path;
  try {
    text = decodeURIComponent(path);
  } catch {
    // keep it encoded
  }
  return `\`${text.replace(/^\/fhir\//, '').replace(/\|/g, '\\|')}\``;
}

export function searchMarkdown(summary: SearchSummary, results: Verdict[]): string {
  const lines = ['### Search', ''];
  lines.push(
    `- ${summary.resources} Synthea resources (${summary.bundles} cloned transaction Bundles, loaded at ${fmt(summary.loadResourcesPerSecond, 0)} resources/s) ` +
      `stored besides the Patient scenarios' Patients, kept for every query and deleted after the group.`,
    `- Each query rotates over values drawn from the stored data (the "values" column); default page size, no \`_total\`. ` +
      `Round trips from ${summary.roundTripRequests} sequential searches per query in the monitored Baobab process; ` +
      `"p50 alone" is their median wall time (one search at a time); p50/p99 are under load, with ${summary.connections} searches in flight ` +
      `(so mostly queueing when searches are slow); CPU per search is over every search the server handled in the window, which starts and ends with none in flight.`,
    '',
    '| Query | First request | values | matches / page | included / page | p50 ms alone | req/s | p50 ms | p99 ms | server CPU ms/search | engine CPU ms/search | event loop busy | MongoDB round trips / search | allowed | |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
  );
  for (const query of summary.queries) {
    const r = summary.rows.find((row) => row.scenario === query.name);
    const ok = results.filter((v) => v.scenario === `search ${query.shape}`).every((v) => v.ok);
    lines.push(
      `| ${query.shape.replace(/\|/g, '\\|')} | ${pathCell(query.example)} | ${query.values} | ${fmt(query.probe.matches, 1)} | ${fmt(query.probe.included, 1)} | ` +
        `${fmt(aloneMs(r), 1)} | ` +
        `${fmt(r?.requestsPerSecond, 0)} | ${fmt(r?.p50Ms, 1)} | ${fmt(r?.p99Ms, 1)} | ${fmt(r?.serverCpuMsPerRequest, 3)} | ` +
        `${fmt(r?.engineCpuMsPerRequest, 3)} | ${r ? percent(r.eventLoopUtilization) : '–'} | ${commandsText(r?.roundTrips)} | ${query.expectedRoundTrips} | ${ok ? '✅' : '❌'} |`,
    );
  }
  const measured = summary.rows.filter((r) => r.perRound.length > 0);
  lines.push('', 'Throughput of each round (searches/s): ' + measured.map((r) => `${r.scenario} ${r.perRound.map((v) => v.toFixed(0)).join(' / ')}`).join('; ') + '.', '');
  lines.push('Targets:', '');
  for (const v of results) lines.push(`- ${v.ok ? '✅ PASS' : '❌ FAIL'} ${v.scenario}: ${v.what}`);
  lines.push('');
  return lines.join('\n');
}

export function searchConsoleTable(summary: SearchSummary): string {
  const header = ['query', 'values', 'matches', 'included', 'p50 alone', 'req/s', 'p50', 'p99', 'cpu ms', 'engine ms', 'ELU', 'mongo rt/search', 'allowed'];
  const body = summary.queries.map((query) => {
    const r = summary.rows.find((row) => row.scenario === query.name);
    return [
      query.name,
      String(query.values),
      fmt(query.probe.matches, 1),
      fmt(query.probe.included, 1),
      fmt(aloneMs(r), 1),
      fmt(r?.requestsPerSecond, 0),
      fmt(r?.p50Ms, 1),
      fmt(r?.p99Ms, 1),
      fmt(r?.serverCpuMsPerRequest, 3),
      fmt(r?.engineCpuMsPerRequest, 3),
      r ? percent(r.eventLoopUtilization) : '–',
      commandsText(r?.roundTrips),
      String(query.expectedRoundTrips),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
