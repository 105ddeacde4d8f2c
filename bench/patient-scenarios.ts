/**
 * The Patient scenarios of `npm run bench` (bench/run.ts): what each sends, the bare express
 * scenario it is compared with, the floors (bare express plus the minimum MongoDB work) and the
 * targets of the foundation, security and validation issues.
 */
import { examplePatient, patientId, patientWithId, profiledPatient } from './fixtures';
import type { Scenario, StoredCounter } from './load';
import type { Target } from './report';
import type { ServerHandle } from './server-handle';

/** Reads with authentication and audit on (issue 5), against a Baobab process of their own. */
export const READ_AUTH = 'read (auth+audit)';
/**
 * The same reads against a process with authentication on and audit off: no target of its own, it
 * splits what read (auth+audit) costs into the token and access checks and the AuditEvent.
 */
export const READ_AUTH_ONLY = 'read (auth, no audit)';
/** Creates that claim our Patient profile, so each is validated against it (issue 6). */
export const CREATE_PROFILED = 'create profiled';

/** Ids of the stored Patients the read and update scenarios rotate over. */
export const ID_PREFIX = 'bench-';
export const BASELINES: Record<string, string> = { read: 'bare GET', [READ_AUTH_ONLY]: 'bare GET', [READ_AUTH]: 'bare GET', create: 'bare POST', [CREATE_PROFILED]: 'bare POST', update: 'bare POST' };
/** Bare express plus the minimum MongoDB work of the interaction: what one round trip costs here. */
export const FLOORS: Record<string, string> = {
  read: 'bare GET+find',
  [READ_AUTH_ONLY]: 'bare GET+find',
  [READ_AUTH]: 'bare GET+find',
  create: 'bare POST+2 inserts',
  [CREATE_PROFILED]: 'bare POST+2 inserts',
  update: 'bare POST+2 inserts',
};
export const TARGETS: Target[] = [
  { scenario: 'read', minRatio: 0.5, maxRoundTrips: 1 },
  { scenario: READ_AUTH, minRatio: 0.35 },
  { scenario: 'create', minRatio: 0.25, maxRoundTrips: 2 },
  // Writes with profile validation on must stay within the foundation's create target (issue 6).
  { scenario: CREATE_PROFILED, minRatio: 0.25, maxRoundTrips: 2 },
  { scenario: 'update', maxRoundTrips: 2 },
];

export function updateScenario(server: ServerHandle, count: number): Scenario {
  const bodies = Array.from({ length: count }, (_, n) => JSON.stringify(patientWithId(ID_PREFIX, n)));
  return {
    name: 'update',
    baseline: BASELINES.update,
    server,
    method: 'PUT',
    path: (n) => `/fhir/Patient/${patientId(ID_PREFIX, n % count)}`,
    body: (n) => bodies[n % count]!,
    expectedStatus: 200,
  };
}

/** The Baobab process with authentication and audit on, and how to count the AuditEvents it stores. */
export interface AuthServer {
  server: ServerHandle;
  auditEvents: StoredCounter;
}

export interface AuthServers {
  /** Authentication and audit on. */
  audited?: AuthServer;
  /** Authentication on, audit off. */
  unaudited?: ServerHandle;
  /** Authentication and audit on, running BENCH_CANDIDATE's src/. */
  candidateAudited?: AuthServer;
}

export function scenarios(bare: ServerHandle, baobab: ServerHandle, count: number, floors: boolean, candidate?: ServerHandle, servers: AuthServers = {}): Scenario[] {
  const createBody = JSON.stringify(examplePatient());
  const profiledBody = JSON.stringify(profiledPatient());
  const id = (n: number) => patientId(ID_PREFIX, n % count);
  const auth = servers.audited;
  const unaudited = servers.unaudited;
  const readAuthOnly: Scenario[] = unaudited
    ? [
        {
          name: READ_AUTH_ONLY,
          baseline: BASELINES[READ_AUTH_ONLY],
          server: unaudited,
          method: 'GET',
          path: (n) => `/fhir/Patient/${id(n)}`,
          headers: { authorization: `Bearer ${unaudited.token}` },
          expectedStatus: 200,
        },
      ]
    : [];
  const readAuthOn = (server: AuthServer, name: string): Scenario => ({
    name,
    baseline: BASELINES[READ_AUTH],
    server: server.server,
    method: 'GET',
    path: (n) => `/fhir/Patient/${id(n)}`,
    headers: { authorization: `Bearer ${server.server.token}` },
    expectedStatus: 200,
    stored: server.auditEvents,
  });
  const readAuth: Scenario[] = auth ? [readAuthOn(auth, READ_AUTH)] : [];
  if (auth && servers.candidateAudited) readAuth.push(readAuthOn(servers.candidateAudited, `${READ_AUTH} (candidate)`));
  const all: Array<Scenario & { floor?: boolean }> = [
    { name: 'bare GET', server: bare, method: 'GET', path: (n) => `/bare/Patient/${id(n)}`, expectedStatus: 200 },
    { name: FLOORS.read!, floor: true, server: bare, method: 'GET', path: (n) => `/bare-db/Patient/${id(n)}`, expectedStatus: 200 },
    { name: 'read', baseline: BASELINES.read, server: baobab, method: 'GET', path: (n) => `/fhir/Patient/${id(n)}`, expectedStatus: 200 },
    ...readAuthOnly,
    ...readAuth,
    { name: 'bare POST', server: bare, method: 'POST', path: () => '/bare/Patient', body: () => createBody, expectedStatus: 201 },
    { name: FLOORS.create!, floor: true, server: bare, method: 'POST', path: () => '/bare-db/Patient', body: () => createBody, expectedStatus: 201 },
    { name: 'create', baseline: BASELINES.create, server: baobab, method: 'POST', path: () => '/fhir/Patient', body: () => createBody, expectedStatus: 201 },
    { name: CREATE_PROFILED, baseline: BASELINES[CREATE_PROFILED], server: baobab, method: 'POST', path: () => '/fhir/Patient', body: () => profiledBody, expectedStatus: 201 },
    updateScenario(baobab, count),
  ];
  const withCandidate = candidate
    ? all.flatMap((s) => (s.server === baobab ? [s, { ...s, name: `${s.name} (candidate)`, server: candidate }] : [s]))
    : all;
  return withCandidate.filter((s) => floors || !s.floor);
}
