/**
 * The embedded MongoDB engines (DESIGN.md §5), used when MONGODB_URL is not set and by the tests.
 *
 *  1. mongodb-memory-server: a real `mongod`, single-node replica set (transactions), persistent
 *     dbPath under `${dataDir}/mongod`. Needs a cached binary or the internet to download one.
 *  2. mongo-java-server (tools/Launcher.java, jars fetched by tools/pom.xml): memory backend, or an
 *     H2 file `${dataDir}/mongo-java-server.h2` when persistent. No sessions, so no transactions.
 *  3. jongodb (npm native binary): transactions, never persistent, slow on large collections.
 *
 * `BAOBAB_ENGINE=<name>` forces one engine. Every URL returned names no database (the caller picks
 * it). Child processes never outlive us: stop() ends them, a process 'exit' hook kills them, and if
 * we die hard their stdin pipe closes, which ends the Java launcher and jongodb's watchdog shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

export type EngineName = 'external' | 'mongodb-memory-server' | 'mongo-java-server' | 'jongodb';

export interface MongoEngine {
  url: string;
  name: EngineName;
  persistent: boolean;
  stop(): Promise<void>;
}

export interface EngineOptions {
  dataDir: string;
  persistent: boolean;
  logger: Logger;
  /** Engines to try, in order. Default: mongodb-memory-server, mongo-java-server, jongodb. */
  order?: EngineName[];
  /** How long mongodb-memory-server may take to start (download included). Default 20 s. */
  memoryServerTimeoutMs?: number;
}

const DEFAULT_ORDER: EngineName[] = ['mongodb-memory-server', 'mongo-java-server', 'jongodb'];
const EMBEDDED: EngineName[] = DEFAULT_ORDER;
const TOOLS_DIR = fileURLToPath(new URL('../../../tools/', import.meta.url));
const JAR_DIR = join(TOOLS_DIR, 'target', 'dependency');
/** Jars the launcher cannot run without (kept in step with tools/fetch-engine.mjs). */
const REQUIRED_JARS = ['mongo-java-server-core-', 'mongo-java-server-memory-backend-', 'mongo-java-server-h2-backend-', 'h2-'];
const CHILD_START_TIMEOUT_MS = 30_000;
const CHILD_STOP_GRACE_MS = 5_000;

export async function startEmbeddedEngine(opts: EngineOptions): Promise<MongoEngine> {
  const { logger } = opts;
  const forced = process.env.BAOBAB_ENGINE?.trim();
  if (forced && !EMBEDDED.includes(forced as EngineName)) {
    throw new Error(`BAOBAB_ENGINE must be one of ${EMBEDDED.join(', ')} (got "${forced}"); set MONGODB_URL for an external MongoDB`);
  }
  const order = forced ? [forced as EngineName] : (opts.order ?? DEFAULT_ORDER);
  const failures: string[] = [];
  for (const [i, name] of order.entries()) {
    const started = Date.now();
    try {
      const engine = await startNamed(name, opts);
      const where = engine.persistent ? `data persists in ${opts.dataDir}` : 'data is NOT persisted (lost when the server stops)';
      logger.info({ engine: name, url: engine.url, persistent: engine.persistent, startupMs: Date.now() - started }, `MongoDB engine: embedded ${name}, ${where}`);
      if (opts.persistent && !engine.persistent) logger.warn({ engine: name }, `persistence was asked for but ${name} keeps data in memory only`);
      return engine;
    } catch (err) {
      const reason = errorMessage(err);
      failures.push(`${name}: ${reason}`);
      const next = order[i + 1];
      logger.warn({ engine: name, reason }, `MongoDB engine ${name} unavailable${next ? `, falling back to ${next}` : ''}: ${reason}`);
    }
  }
  throw new Error(`no embedded MongoDB engine could start (set MONGODB_URL to use an external one): ${failures.join('; ')}`);
}

function startNamed(name: EngineName, opts: EngineOptions): Promise<MongoEngine> {
  switch (name) {
    case 'mongodb-memory-server':
      return startMemoryServer(opts);
    case 'mongo-java-server':
      if (!opts.persistent) return startJavaServer({ backend: 'memory' });
      mkdirSync(opts.dataDir, { recursive: true });
      return startJavaServer({ backend: 'h2', file: join(opts.dataDir, 'mongo-java-server.h2') });
    case 'jongodb':
      return startJongodb();
    case 'external':
      return Promise.reject(new Error('"external" is not an embedded engine: set MONGODB_URL'));
  }
}

// ---------------------------------------------------------------- mongodb-memory-server

async function startMemoryServer(opts: EngineOptions): Promise<MongoEngine> {
  const { MongoMemoryReplSet, DryMongoBinary } = await import('mongodb-memory-server-core');
  const binary = await DryMongoBinary.locateBinary(DryMongoBinary.getEnsuredOptions()).catch(() => undefined);
  if (!binary) await assertCanDownloadMongod();

  const dbPath = opts.persistent ? join(opts.dataDir, 'mongod') : undefined;
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  // A persisted replica-set config names host:port, so a persistent node keeps its port.
  const port = opts.persistent ? await persistentPort(join(opts.dataDir, 'mongod.port')) : undefined;
  const timeoutMs = opts.memoryServerTimeoutMs ?? 20_000;

  const restoreConsole = muteConsole(); // the library prints download/start failures itself
  const creating = MongoMemoryReplSet.create({
    replSet: { name: 'baobab', count: 1, storageEngine: 'wiredTiger' },
    instanceOpts: [{ port, dbPath, storageEngine: 'wiredTiger' }],
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const rs = await Promise.race([
      creating,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`mongod did not start within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return {
      url: rs.getUri(),
      name: 'mongodb-memory-server',
      persistent: opts.persistent,
      stop: once(async () => {
        await rs.stop({ doCleanup: !opts.persistent, force: false });
      }),
    };
  } catch (err) {
    // If it still comes up after the timeout, do not leave a mongod behind.
    creating.then((rs) => rs.stop({ doCleanup: !opts.persistent, force: true }), () => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
    restoreConsole();
  }
}

/** Fails fast (instead of three slow download retries) when no mongod can be downloaded. */
async function assertCanDownloadMongod(): Promise<void> {
  const runtimeDownload = process.env.MONGOMS_RUNTIME_DOWNLOAD;
  if (runtimeDownload && ['false', '0', 'no', 'off'].includes(runtimeDownload.toLowerCase())) {
    throw new Error('no mongod binary found and MONGOMS_RUNTIME_DOWNLOAD is off');
  }
  const source = process.env.MONGOMS_DOWNLOAD_URL || process.env.MONGOMS_DOWNLOAD_MIRROR || 'https://fastdl.mongodb.org';
  let host: string;
  try {
    host = new URL(source).hostname;
  } catch {
    return; // let the library report its own configuration error
  }
  try {
    await withTimeout(lookup(host), 3_000, `DNS lookup of ${host} timed out`);
  } catch (err) {
    throw new Error(`no mongod binary found and it cannot be downloaded from ${host} (${errorCode(err)})`);
  }
}

async function persistentPort(file: string): Promise<number> {
  if (existsSync(file)) {
    const saved = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(saved) && saved > 0 && saved < 65536) return saved;
  }
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
  writeFileSync(file, `${port}\n`);
  return port;
}

function muteConsole(): () => void {
  const { warn, error } = console;
  console.warn = () => undefined;
  console.error = () => undefined;
  return () => {
    console.warn = warn;
    console.error = error;
  };
}

// ---------------------------------------------------------------- mongo-java-server

let fetching: Promise<void> | undefined;

export async function startJavaServer(opts: { backend: 'memory' | 'h2'; file?: string }): Promise<MongoEngine> {
  if (opts.backend === 'h2' && !opts.file) throw new Error('the h2 backend needs a file');
  if (!hasJars()) {
    fetching ??= runFetch();
    await fetching;
    if (!hasJars()) throw new Error(`mongo-java-server jars missing in ${JAR_DIR} and fetching them failed (needs java 17+ and mvn; see tools/fetch-engine.mjs)`);
  }
  if (opts.file) mkdirSync(dirname(opts.file), { recursive: true });
  const args = ['-cp', join(JAR_DIR, '*'), join(TOOLS_DIR, 'Launcher.java'), opts.backend, ...(opts.file ? [opts.file] : [])];
  const { child, url } = await launch('java', args, 'MONGO_URI=');
  return childEngine(child, url, 'mongo-java-server', opts.backend === 'h2');
}

function hasJars(): boolean {
  if (!existsSync(JAR_DIR)) return false;
  const jars = readdirSync(JAR_DIR).filter((f) => f.endsWith('.jar'));
  return REQUIRED_JARS.every((prefix) => jars.some((f) => f.startsWith(prefix)));
}

function runFetch(): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(TOOLS_DIR, 'fetch-engine.mjs')], { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', () => resolve());
    child.on('exit', () => resolve());
  });
}

// ---------------------------------------------------------------- jongodb

/** Waits for its stdin to close (or SIGTERM), then kills the engine: jongodb ignores stdin EOF. */
const WATCHDOG = [
  '"$@" </dev/null & engine=$!',
  'exec 3<&0',
  'cat <&3 >/dev/null & reader=$!',
  "trap 'kill $engine $reader 2>/dev/null; wait $engine; exit 0' TERM INT HUP",
  'wait $reader',
  'kill $engine 2>/dev/null; wait $engine; exit 0',
].join('\n');

export async function startJongodb(): Promise<MongoEngine> {
  const binary = jongodbBinary();
  // The replica-set profile makes `hello` report setName, so transaction detection sees a replica set.
  const args = ['-c', WATCHDOG, 'jongodb-watchdog', binary, '--host=127.0.0.1', '--port=0', '--topology-profile=singleNodeReplicaSet'];
  const { child, url } = await launch('/bin/sh', args, 'JONGODB_URI=');
  const u = new URL(url);
  u.pathname = '/'; // it names a default database "test"; callers choose their own
  // It reports topologyVersion, so the driver would switch its monitor to the streaming `hello`
  // protocol (moreToCome), which jongodb mishandles ("Server ended moreToCome unexpectedly").
  u.searchParams.set('serverMonitoringMode', 'poll');
  return childEngine(child, u.toString(), 'jongodb', false);
}

function jongodbBinary(): string {
  const require = createRequire(import.meta.url);
  const pkgName = `@jongodb/memory-server-bin-${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`;
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${pkgName}/package.json`);
  } catch {
    throw new Error(`jongodb binary package ${pkgName} is not installed`);
  }
  const meta = JSON.parse(readFileSync(pkgJson, 'utf8')) as { jongodb?: { binary?: string } };
  const binary = join(dirname(pkgJson), meta.jongodb?.binary ?? 'bin/jongodb');
  if (!existsSync(binary)) throw new Error(`jongodb binary missing at ${binary}`);
  return binary;
}

// ---------------------------------------------------------------- child processes

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    // SIGTERM, not SIGKILL: the launcher then flushes H2 and jongodb's watchdog stops jongodb.
    for (const child of children) child.kill('SIGTERM');
  });
}

/** Spawns a server that prints `<marker>mongodb://…` on stdout once it listens. */
function launch(command: string, args: string[], marker: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    killAllOnExit();
    let settled = false;
    let stdout = '';
    let stderr = '';
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdin?.end();
      child.kill('SIGTERM');
      children.delete(child);
      const detail = stderr.trim().split('\n').slice(-5).join(' | ');
      reject(new Error(detail ? `${reason}: ${detail}` : reason));
    };
    const timer = setTimeout(() => fail(`${command} printed no ${marker} within ${CHILD_START_TIMEOUT_MS} ms`), CHILD_START_TIMEOUT_MS);
    child.on('error', (err) => fail(`cannot run ${command}: ${err.message}`));
    child.on('exit', (code, signal) => {
      children.delete(child);
      fail(`${command} exited (${signal ?? `code ${code}`}) before printing ${marker}`);
    });
    child.stdin?.on('error', () => undefined); // EPIPE if it died first
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000);
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return;
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith(marker));
      if (!line) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, url: line.slice(marker.length).trim() });
    });
  });
}

function childEngine(child: ChildProcess, url: string, name: EngineName, persistent: boolean): MongoEngine {
  // Neither the child nor its pipes keep our event loop alive; the exit hook still ends it.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    url,
    name,
    persistent,
    stop: once(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.ref(); // keep the process alive until the child is really gone
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end(); // the launcher shuts down cleanly (flushing H2) when its stdin closes
      const term = setTimeout(() => child.kill('SIGTERM'), CHILD_STOP_GRACE_MS);
      const kill = setTimeout(() => child.kill('SIGKILL'), 2 * CHILD_STOP_GRACE_MS);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
      children.delete(child);
    }),
  };
}

// ---------------------------------------------------------------- helpers

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : errorMessage(err);
}
