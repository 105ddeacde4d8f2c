/**
 * One server under test, in its own process so that the load generator (bench/run.ts) does not
 * share its event loop. `kind` (from BENCH_SERVER_OPTIONS) picks:
 *  - `baobab`: the real app, buildApp(Container.create(...)), against MONGODB_URL; with `auth`,
 *              authentication and audit on, and a bearer token issued at start for the driver;
 *  - `bare`:   a bare express app with the same two shapes of work, minus FHIR and MongoDB:
 *              GET /bare/Patient/:id returns a stored Patient, POST /bare/Patient parses and echoes one.
 * Both listen on 127.0.0.1 port 0, report the port over IPC, and answer measure-start/measure-stop
 * with their own CPU time, event-loop utilisation, GC time and MongoDB commands over the window.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Server } from 'node:http';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import type * as AppModule from '../src/app';
import type * as ConfigModule from '../src/config/config';
import type * as ContainerModule from '../src/container';
import type { Command, Measurement, Reply, ServerOptions } from './protocol';
import { BARE_DB_COLLECTION, BARE_DB_HISTORY, NOT_ROUND_TRIPS } from './protocol';
import { patientId, storedPatient } from './fixtures';

const options = JSON.parse(process.env.BENCH_SERVER_OPTIONS ?? '{}') as ServerOptions;

function send(reply: Reply): void {
  process.send?.(reply);
}

// ---------------------------------------------------------------- measurement

const commands: Record<string, number> = {};
let gcMs = 0;
/** Requests being handled, and handled so far: a request counts until its handler ends the response. */
let inFlight = 0;
let handled = 0;
const IDLE_TIMEOUT_MS = 300_000;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

function countCommands(client: MongoClient): void {
  client.on('commandStarted', (event) => {
    if (NOT_ROUND_TRIPS.has(event.commandName)) return;
    commands[event.commandName] = (commands[event.commandName] ?? 0) + 1;
  });
}

interface Window {
  cpu: NodeJS.CpuUsage;
  elu: EventLoopUtilization;
  started: number;
  gcMs: number;
  commands: Record<string, number>;
  handled: number;
}
let window: Window | undefined;

// ---------------------------------------------------------------- CPU profiles of measured windows

let session: Session | undefined;
let profiling: string | undefined;
const PROFILE_INTERVAL_US = 250;

async function startProfile(label: string): Promise<void> {
  if (!session) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
  }
  await session.post('Profiler.start');
  profiling = label;
}

async function stopProfile(): Promise<void> {
  if (!session || !profiling || !options.profileDir) return;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(join(options.profileDir, `${profiling.replace(/[^A-Za-z0-9._-]+/g, '-')}.cpuprofile`), JSON.stringify(profile));
  profiling = undefined;
}

async function startWindow(label: string | undefined): Promise<void> {
  if (label && options.profileDir) await startProfile(label);
  window = { cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), started: performance.now(), gcMs, commands: { ...commands }, handled };
}

async function stopWindow(): Promise<Measurement> {
  if (!window) throw new Error('measure-stop without measure-start');
  const cpu = process.cpuUsage(window.cpu);
  const elu = performance.eventLoopUtilization(window.elu);
  const delta: Record<string, number> = {};
  for (const [name, n] of Object.entries(commands)) {
    const d = n - (window.commands[name] ?? 0);
    if (d > 0) delta[name] = d;
  }
  const measurement: Measurement = {
    userMicros: cpu.user,
    systemMicros: cpu.system,
    wallMs: performance.now() - window.started,
    eventLoopUtilization: elu.utilization,
    gcMs: gcMs - window.gcMs,
    commands: delta,
    requests: handled - window.handled,
  };
  window = undefined;
  await stopProfile();
  return measurement;
}

// ---------------------------------------------------------------- the two servers

/**
 * Bare express. With a MongoDB URL it also serves the same two shapes of work with the minimum
 * MongoDB work Baobab must do (one findOne by _id; two inserts), as the floor of what one
 * round trip costs on this machine: GET /bare-db/Patient/:id and POST /bare-db/Patient.
 */
function bareApp(db: Db | undefined): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const stored = new Map<string, Record<string, unknown>>();
  const now = new Date();
  for (let n = 0; n < options.patientCount; n++) stored.set(patientId(options.idPrefix, n), storedPatient(options.idPrefix, n, now));
  const json = express.json({ type: ['application/json', 'application/fhir+json'], limit: '5mb' });
  const sendJson = (res: express.Response, status: number, value: unknown) => {
    res.status(status).type('application/fhir+json').send(JSON.stringify(value));
  };

  app.get('/bare/Patient/:id', (req, res) => {
    const patient = stored.get(req.params.id);
    if (patient) sendJson(res, 200, patient);
    else sendJson(res, 404, { error: 'not found' });
  });
  app.post('/bare/Patient', json, (req, res) => {
    sendJson(res, 201, req.body);
  });

  if (db) {
    const current = db.collection<{ _id: string; resource: string | Record<string, unknown> }>('Patient');
    const copies = db.collection<{ _id: string; vid: number; ts: Date; resource: unknown }>(BARE_DB_COLLECTION);
    const copiesHistory = db.collection<{ _id: string; ts: Date; resource: unknown }>(BARE_DB_HISTORY);
    app.get('/bare-db/Patient/:id', (req, res, next) => {
      current.findOne({ _id: req.params.id }).then((doc) => {
        // Baobab stores the body as JSON text (store/mongo/documents.ts): the floor sends it as it is.
        if (doc) res.status(200).type('application/fhir+json').send(typeof doc.resource === 'string' ? doc.resource : JSON.stringify(doc.resource));
        else sendJson(res, 404, { error: 'not found' });
      }, next);
    });
    app.post('/bare-db/Patient', json, (req, res, next) => {
      const _id = randomUUID();
      const ts = new Date();
      // Stored as JSON text, as Baobab stores bodies; the same text is the response.
      const resource = JSON.stringify({ ...(req.body as Record<string, unknown>), id: _id });
      copies
        .insertOne({ _id, vid: 1, ts, resource })
        .then(() => copiesHistory.insertOne({ _id: `${_id}/1`, ts, resource }))
        .then(() => res.status(201).type('application/fhir+json').send(resource), next);
    });
  }
  return app;
}

interface Running {
  server: Server;
  close(): Promise<void>;
  engine?: string;
  /** With `auth`: the bearer token the load generator sends. */
  token?: string;
  /** Stores what is buffered to be written in the background (AuditEvents). */
  flush?(): Promise<void>;
}

/** The bench token outlives any run (the default access-token lifetime is an hour). */
const TOKEN_TTL_SECONDS = 86_400;
/** AuditLog.flush() stores one batch (≤ 500 events) per call; an idle server has far fewer buffered. */
const AUDIT_FLUSHES = 10;

async function startBaobab(): Promise<Running> {
  // Our own src/, or another checkout's (BENCH_CANDIDATE), loaded the same way.
  const src = (module: string) => (options.root ? pathToFileURL(join(options.root, 'src', `${module}.ts`)).href : `../src/${module}`);
  const { testConfig } = (await import(src('config/config'))) as typeof ConfigModule;
  const { Container } = (await import(src('container'))) as typeof ContainerModule;
  const { buildApp } = (await import(src('app'))) as typeof AppModule;
  const config = testConfig({
    port: 0,
    mongodbUrl: options.mongodbUrl,
    mongodbDatabase: options.mongodbDatabase ?? 'baobab_bench',
    logLevel: options.logLevel,
    seedDefinitions: false,
    ...(options.auth ? { authEnabled: true, auditEnabled: options.audit !== false } : {}),
  });
  const container = await Container.create(config, { mongoOptions: { monitorCommands: options.monitorCommands } });
  if (options.monitorCommands) countCommands(container.mongoClient);
  // An admin reading Patients: authentication, the role check, the scope check and the audit all run.
  const token = options.auth
    ? container.auth.tokens.issue(
        { subject: 'bench', kind: 'user', role: 'admin', clientId: 'bench', scope: 'user/*.cruds', fhirUser: 'Practitioner/bench' },
        TOKEN_TTL_SECONDS,
      ).accessToken
    : undefined;
  const server = await listen(buildApp(container));
  const auditor = container.fhir.auditor;
  return {
    server,
    token,
    flush: auditor
      ? async () => {
          for (let i = 0; i < AUDIT_FLUSHES; i++) await auditor.flush();
        }
      : undefined,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await container.close();
    },
  };
}

async function startBare(): Promise<Running> {
  const client = options.mongodbUrl ? new MongoClient(options.mongodbUrl, { maxPoolSize: 64 }) : undefined;
  await client?.connect();
  const server = await listen(bareApp(client?.db(options.mongodbDatabase ?? 'baobab_bench')));
  return {
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client?.close();
    },
  };
}

/**
 * Counts a request until its handler calls `res.end`, not until the socket closes: when autocannon
 * stops it hangs up on requests in flight, and their handlers (and database queries) go on.
 */
function trackRequests(server: Server): void {
  server.prependListener('request', (_req, res) => {
    inFlight++;
    const end = res.end;
    let ended = false;
    res.end = function (this: typeof res, ...args: Parameters<typeof end>) {
      if (!ended) {
        ended = true;
        inFlight--;
        handled++;
      }
      return end.apply(this, args);
    } as typeof end;
  });
}

/** No request in flight, and what they buffered for the background (AuditEvents) stored. */
async function whenIdle(running: Running): Promise<void> {
  const deadline = Date.now() + IDLE_TIMEOUT_MS;
  while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  if (inFlight > 0) console.warn(`bench server: still ${inFlight} request(s) in flight after ${IDLE_TIMEOUT_MS / 1000} s`);
  await running.flush?.();
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
    trackRequests(server);
    server.once('error', reject);
    // autocannon keeps its 16 connections open for a whole scenario.
    server.keepAliveTimeout = 60_000;
  });
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const running = options.kind === 'baobab' ? await startBaobab() : await startBare();
  const stop = async (code: number): Promise<never> => {
    running.server.closeAllConnections();
    await running.close().catch(() => undefined);
    process.exit(code);
  };
  process.on('disconnect', () => void stop(0)); // the driver went away
  process.on('message', (message: Command) => {
    switch (message.type) {
      case 'measure-start':
        void startWindow(message.label).then(() => send({ id: message.id, type: 'ok' }));
        break;
      case 'measure-stop':
        void stopWindow().then((measurement) => send({ id: message.id, type: 'measurement', measurement }));
        break;
      case 'idle':
        void whenIdle(running)
          .catch((err: unknown) => console.warn('bench server: flushing before idle failed:', err))
          .then(() => send({ id: message.id, type: 'ok' }));
        break;
      case 'shutdown':
        send({ id: message.id, type: 'ok' });
        void stop(0);
        break;
    }
  });
  send({ type: 'ready', port: (running.server.address() as AddressInfo).port, token: running.token });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
