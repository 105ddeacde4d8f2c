/** Messages between the benchmark driver (bench/run.ts) and a server under test (bench/server-process.ts). */

export type ServerKind = 'baobab' | 'bare';

/** Driver → server. */
export type Command =
  | { id: number; type: 'measure-start'; /** With profiling on: CPU-profile this window into `<label>.cpuprofile`. */ label?: string }
  | { id: number; type: 'measure-stop' }
  /**
   * Answered once no request is being handled (slow searches go on after the load generator hangs up)
   * and what requests buffered for background writes (AuditEvents) is stored.
   */
  | { id: number; type: 'idle' }
  | { id: number; type: 'shutdown' };

/** What the server measured between measure-start and measure-stop. */
export interface Measurement {
  /** process.cpuUsage() delta, microseconds (all threads of the server process). */
  userMicros: number;
  systemMicros: number;
  wallMs: number;
  /** performance.eventLoopUtilization() over the window, 0..1. */
  eventLoopUtilization: number;
  /** Time spent in garbage collection, ms (PerformanceObserver 'gc' entries). */
  gcMs: number;
  /** MongoDB commands started by the server's client, by command name (handshake and monitoring excluded). */
  commands: Record<string, number>;
  /** Requests whose handling ended (the response was ended) in the window, answered or not. */
  requests: number;
}

/** Server → driver. */
export type Reply =
  /** `token`: with `auth`, a bearer token the server issued for the load generator. */
  | { type: 'ready'; port: number; engine?: string; token?: string }
  | { type: 'failed'; message: string }
  | { id: number; type: 'ok' }
  | { id: number; type: 'measurement'; measurement: Measurement };

/** Commands that are not part of an interaction: connection handshake, auth, monitoring, session cleanup. */
export const NOT_ROUND_TRIPS = new Set([
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'endSessions',
  'saslStart',
  'saslContinue',
  'authenticate',
  'buildInfo',
  'getnonce',
]);

/** How the driver configures a server process (passed as JSON in BENCH_SERVER_OPTIONS). */
export interface ServerOptions {
  kind: ServerKind;
  /** Baobab, and bare for its /bare-db/ endpoints. */
  mongodbUrl?: string;
  mongodbDatabase?: string;
  logLevel: string;
  /** Count MongoDB commands (driver command monitoring). */
  monitorCommands: boolean;
  /** Bare only: how many stored patients to serve, ids `${idPrefix}${n}`. */
  patientCount: number;
  idPrefix: string;
  /**
   * Baobab only: authentication and audit on (every /fhir request needs a bearer token, reads of
   * patient data write AuditEvents); the process issues an admin token at start and reports it.
   */
  auth?: boolean;
  /** Baobab with `auth` only: `false` turns the audit off, to split the cost of authentication from that of audit. */
  audit?: boolean;
  /** Baobab only: another checkout whose src/ to run (default: this one). */
  root?: string;
  /** When set, measurement windows with a label are CPU-profiled (V8 inspector) into this folder. */
  profileDir?: string;
}

/** Collections the bare /bare-db/ POST writes to (cleared with the store between scenarios). */
export const BARE_DB_COLLECTION = 'bare_bench';
export const BARE_DB_HISTORY = 'bare_bench_history';
