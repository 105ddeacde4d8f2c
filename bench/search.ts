/**
 * Search (scenario group `search`): cloned Synthea bundles are loaded once, then each query kind
 * of issue 4 runs under autocannon (bench/load.ts), with its values drawn from the loaded data
 * and rotated per request, and its MongoDB round trips counted in a monitored server process.
 */
import type { Db } from 'mongodb';
import { runIngest } from './ingest';
import { runLoad } from './load';
import type { LoadResult, LoadSettings, Scenario } from './load';
import { measureRoundTrips, sendOne } from './round-trips';
import type { RoundTrips } from './round-trips';
import type { ServerHandle } from './server-handle';
import type { SyntheaClones } from './synthea-clones';
import { unpackBody } from '../src/store/mongo/documents';
import type { StoredBody } from '../src/store/mongo/documents';

export interface SearchQuery {
  /** Short, file-name friendly (it names CPU profiles). */
  name: string;
  /** The query's shape as the issue writes it. */
  shape: string;
  /** Round trips allowed: one, plus one per include and per chain (or `_has`) level. */
  expectedRoundTrips: number;
  /** Request paths with values from the loaded data; request n uses paths[n % length]. */
  paths: string[];
}

/** What a pass over every path of a query returned (unmonitored process, before the runs). */
export interface QueryProbe {
  /** Mean entries per page with search.mode match, and include. */
  matches: number;
  included: number;
  /** Paths that matched nothing. */
  empty: number;
  /** Failures: non-200 answers and OperationOutcome entries (ignored parameters), with the path. */
  problems: string[];
}

export interface SearchRun {
  queries: SearchQuery[];
  probes: Map<string, QueryProbe>;
  roundTrips: Map<string, RoundTrips>;
  /** rounds[i]: every query's load result in round i. */
  rounds: Array<Map<string, LoadResult>>;
  resources: number;
  bundles: number;
  loadResourcesPerSecond: number;
}

export interface SearchSettings {
  resources: number;
  rounds: number;
  roundTripRequests: number;
  load: LoadSettings;
}

const MRN_SYSTEM = 'http://hospital.smarthealthit.org';
/** Distinct values per query: enough that the server cannot serve one cached answer. */
const SAMPLE = 20;
const TOP = 5;

interface Sampled {
  patients: Array<{ id: string; family: string; mrn: string }>;
  /** (patient, LOINC code) pairs that have Observations. */
  patientCodes: Array<{ patient: string; code: string }>;
  /** Sampled patients with Encounters that have Observations. */
  encounterPatients: string[];
  /** The most common Observation codes, with the median date of their Observations. */
  commonCodes: Array<{ code: string; median: string }>;
  conditionWords: string[];
  /** Names of Organizations that provided Encounters with Observations. */
  providers: string[];
}

/** A stored current document: only its body (`resource`, JSON text for resources this small) is read. */
type Body = StoredBody & { _id: string };

const refId = (reference: unknown) => (typeof reference === 'string' ? reference.slice(reference.indexOf('/') + 1) : undefined);
const BODY = { projection: { resource: 1 } };
/** The body of a stored document, as an object (store/mongo/documents.ts). */
const bodyOf = <T>(doc: Body) => (unpackBody(doc) ?? {}) as T;

/**
 * Values from what was stored, read from the database directly (not through search, which is what
 * is measured). Transaction entries get new server ids, so ids cannot come from the bundles.
 */
export async function sampleValues(db: Db): Promise<Sampled> {
  const patients: Sampled['patients'] = [];
  for await (const doc of db.collection<Body>('Patient').find({}, BODY).sort({ _id: 1 })) {
    const r = bodyOf<{ name?: Array<{ family?: string }>; identifier?: Array<{ system?: string; value?: string }> }>(doc);
    const mrn = r.identifier?.find((i) => i.system === MRN_SYSTEM)?.value;
    if (mrn === undefined) continue;
    patients.push({ id: doc._id, family: r.name?.[0]?.family ?? '', mrn });
    if (patients.length === SAMPLE) break;
  }
  const sampled = new Set(patients.map((p) => p.id));

  // One pass over the Observations: code frequencies and dates, and what the sampled patients have.
  const codes = new Map<string, string[]>();
  const perPatient = new Map<string, Map<string, number>>();
  const encounters = new Map<string, string>(); // Encounter id → patient id
  for await (const doc of db.collection<Body>('Observation').find({}, BODY)) {
    const r = bodyOf<{ subject?: { reference?: string }; encounter?: { reference?: string }; code?: { coding?: Array<{ code?: string }> }; effectiveDateTime?: string }>(doc);
    const code = r.code?.coding?.[0]?.code;
    if (!code) continue;
    if (!codes.has(code)) codes.set(code, []);
    if (r.effectiveDateTime) codes.get(code)!.push(r.effectiveDateTime.slice(0, 10));
    const patient = refId(r.subject?.reference);
    if (!patient || !sampled.has(patient)) continue;
    const counts = perPatient.get(patient) ?? new Map<string, number>();
    perPatient.set(patient, counts.set(code, (counts.get(code) ?? 0) + 1));
    const encounter = refId(r.encounter?.reference);
    if (encounter) encounters.set(encounter, patient);
  }
  const commonCodes = [...codes]
    .sort(([, a], [, b]) => b.length - a.length)
    .slice(0, TOP)
    .map(([code, dates]) => ({ code, median: dates.sort()[Math.floor(dates.length / 2)] ?? '2000-01-01' }));
  const patientCodes = [...perPatient].map(([patient, counts]) => ({ patient, code: [...counts].sort(([, a], [, b]) => b - a)[0]![0] }));

  const providerIds = new Set<string>();
  for await (const doc of db.collection<Body>('Encounter').find({ _id: { $in: [...encounters.keys()] } }, BODY)) {
    const id = refId(bodyOf<{ serviceProvider?: { reference?: string } }>(doc).serviceProvider?.reference);
    if (id) providerIds.add(id);
  }
  const providers = new Set<string>();
  for await (const doc of db.collection<Body>('Organization').find({ _id: { $in: [...providerIds] } }, BODY)) {
    const name = bodyOf<{ name?: string }>(doc).name;
    if (name) providers.add(name);
  }

  const words = new Map<string, number>();
  for await (const doc of db.collection<Body>('Condition').find({}, BODY)) {
    const word = (bodyOf<{ code?: { text?: string } }>(doc).code?.text ?? '').split(/\s+/)[0]?.toLowerCase();
    if (word) words.set(word, (words.get(word) ?? 0) + 1);
  }
  return {
    patients,
    patientCodes,
    encounterPatients: [...new Set(encounters.values())],
    commonCodes,
    conditionWords: [...words].sort(([, a], [, b]) => b - a).slice(0, TOP).map(([word]) => word),
    providers: [...providers].slice(0, TOP),
  };
}

const q = encodeURIComponent;

/** The query table: the issue's eight kinds, with the round trips each may need. */
export function searchQueries(v: Sampled): SearchQuery[] {
  return [
    { name: 'name', shape: 'Patient?name=', expectedRoundTrips: 1, paths: v.patients.map((p) => `/fhir/Patient?name=${q(p.family.slice(0, 4))}`) },
    { name: 'identifier', shape: 'Patient?identifier=', expectedRoundTrips: 1, paths: v.patients.map((p) => `/fhir/Patient?identifier=${q(`${MRN_SYSTEM}|${p.mrn}`)}`) },
    {
      name: 'obs-patient-code',
      shape: 'Observation?patient=&code=',
      expectedRoundTrips: 1,
      paths: v.patientCodes.map((pc) => `/fhir/Observation?patient=${pc.patient}&code=${q(pc.code)}`),
    },
    {
      name: 'obs-code-date-sort',
      shape: 'Observation?code=&date=ge…&_sort=-date',
      expectedRoundTrips: 1,
      paths: v.commonCodes.map((c) => `/fhir/Observation?code=${q(`http://loinc.org|${c.code}`)}&date=ge${c.median}&_sort=-date`),
    },
    {
      name: 'enc-revinclude',
      shape: 'Encounter?patient=&_revinclude=Observation:encounter',
      expectedRoundTrips: 2,
      paths: v.encounterPatients.map((id) => `/fhir/Encounter?patient=${id}&_revinclude=Observation:encounter`),
    },
    { name: 'condition-text', shape: 'Condition?code:text=', expectedRoundTrips: 1, paths: v.conditionWords.map((w) => `/fhir/Condition?code:text=${q(w)}`) },
    {
      // Synthea Patients have no managingOrganization or generalPractitioner; Encounters have a
      // serviceProvider. `:Encounter`: R4's `encounter` of Observation may also point to an EpisodeOfCare.
      name: 'chain-2',
      shape: 'Observation?encounter:Encounter.service-provider.name= (two-level chain)',
      expectedRoundTrips: 3,
      paths: v.providers.map((name) => `/fhir/Observation?encounter:Encounter.service-provider.name=${q(name)}`),
    },
    {
      name: 'has',
      shape: 'Patient?_has:Observation:patient:code=',
      expectedRoundTrips: 2,
      paths: v.commonCodes.map((c) => `/fhir/Patient?_has:Observation:patient:code=${q(c.code)}`),
    },
  ];
}

export function scenarioOf(query: SearchQuery, server: ServerHandle): Scenario {
  return { name: query.name, server, method: 'GET', path: (n) => query.paths[n % query.paths.length]!, expectedStatus: 200 };
}

interface SearchBundle {
  entry?: Array<{ search?: { mode?: string }; resource?: { resourceType?: string; issue?: Array<{ diagnostics?: string }> } }>;
}

/** Every path once: does it answer 200, without ignored parameters, with matches? */
export async function probe(query: SearchQuery, server: ServerHandle): Promise<QueryProbe> {
  const result: QueryProbe = { matches: 0, included: 0, empty: 0, problems: [] };
  if (query.paths.length === 0) result.problems.push('no values found in the loaded data');
  const scenario = scenarioOf(query, server);
  for (let n = 0; n < query.paths.length; n++) {
    const response = await sendOne(scenario, n);
    const text = await response.text();
    if (response.status !== 200) {
      result.problems.push(`${query.paths[n]}: HTTP ${response.status}: ${text.slice(0, 300)}`);
      continue;
    }
    const entries = (JSON.parse(text) as SearchBundle).entry ?? [];
    const mode = (m: string) => entries.filter((e) => e.search?.mode === m);
    for (const outcome of mode('outcome')) {
      result.problems.push(`${query.paths[n]}: ${outcome.resource?.issue?.map((i) => i.diagnostics).join('; ')}`);
    }
    result.matches += mode('match').length / query.paths.length;
    result.included += mode('include').length / query.paths.length;
    if (mode('match').length === 0) result.empty++;
  }
  return result;
}

/**
 * Loads the data, samples values, probes and counts round trips (sequentially, in the monitored
 * process `startCounter` starts), then runs every query under load once per round. The caller
 * removes the loaded data afterwards.
 */
export async function runSearch(
  clones: SyntheaClones,
  baobab: ServerHandle,
  db: Db,
  startCounter: () => Promise<ServerHandle>,
  settings: SearchSettings,
): Promise<SearchRun> {
  const bundles = clones.takeResources(settings.resources);
  console.log(`search: loading ${bundles.reduce((n, b) => n + b.entries, 0)} resources…`);
  const loaded = await runIngest(baobab, bundles, { clients: 4, enginePids: settings.load.enginePids });
  console.log(`search: loaded ${loaded.resources} resources in ${(loaded.wallMs / 1000).toFixed(0)} s`);

  const queries = searchQueries(await sampleValues(db));
  const probes = new Map<string, QueryProbe>();
  for (const query of queries) {
    const p = await probe(query, baobab);
    probes.set(query.name, p);
    console.log(`search probe: ${query.name} ${query.paths.length} values, ${p.matches.toFixed(1)} matches + ${p.included.toFixed(1)} included per page, ${p.empty} empty`);
    for (const problem of p.problems.slice(0, 3)) console.warn(`  ! ${problem}`);
  }

  const roundTrips = new Map<string, RoundTrips>();
  const counter = await startCounter();
  try {
    for (const query of queries.filter((x) => x.paths.length > 0)) {
      try {
        const rt = await measureRoundTrips(scenarioOf(query, counter), settings.roundTripRequests);
        roundTrips.set(query.name, rt);
        const alone = [...rt.latenciesMs].sort((a, b) => a - b)[Math.floor(rt.latenciesMs.length / 2)]!;
        console.log(`search round trips: ${query.name} ${rt.perRequest} per search ${JSON.stringify(rt.byCommand)}, p50 ${alone.toFixed(1)} ms alone`);
      } catch (err) {
        probes.get(query.name)!.problems.push(`round trips: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await counter.stop();
  }

  // Searches on the test engine can take seconds under load: each run starts and ends with no
  // search in flight, so none is left to slow down the next window (bench/load.ts).
  const load = { ...settings.load, drain: true };
  const rounds: Array<Map<string, LoadResult>> = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const results = new Map<string, LoadResult>();
    for (const query of queries.filter((x) => x.paths.length > 0)) {
      const result = await runLoad(scenarioOf(query, baobab), load, `search-${query.name}-round${round}`);
      results.set(query.name, result);
      const cpu = (result.server.userMicros + result.server.systemMicros) / 1000 / result.requests;
      console.log(
        `round ${round}/${settings.rounds} search ${query.name.padEnd(18)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  ` +
          `p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  server CPU ${cpu.toFixed(3)} ms/search`,
      );
    }
    rounds.push(results);
  }
  return {
    queries,
    probes,
    roundTrips,
    rounds,
    resources: loaded.resources,
    bundles: loaded.bundles,
    loadResourcesPerSecond: loaded.resourcesPerSecond,
  };
}
