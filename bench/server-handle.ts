/** The driver's side of a server process: fork it, wait for its port, measure, stop. */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command, Measurement, Reply, ServerOptions } from './protocol';

const SCRIPT = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 120_000;

type Pending = (reply: Reply) => void;

export class ServerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    readonly kind: ServerOptions['kind'],
    readonly child: ChildProcess,
    readonly port: number,
    /** With `auth`: the bearer token the server issued for the load generator. */
    readonly token?: string,
  ) {
    child.on('message', (reply: Reply) => {
      if (!('id' in reply)) return;
      const resolve = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      resolve?.(reply);
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Forks `node --import tsx bench/server-process.ts` from the project root. */
  static start(options: ServerOptions): Promise<ServerHandle> {
    if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
    const child = fork(SCRIPT, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_SERVER_OPTIONS: JSON.stringify(options), NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${options.kind} server did not start within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        reject(new Error(`${options.kind} server exited during start-up (${signal ?? `code ${code}`})`));
      };
      child.once('exit', onExit);
      child.on('message', function onMessage(reply: Reply) {
        if (reply.type === 'ready') {
          clearTimeout(timer);
          child.off('exit', onExit);
          child.off('message', onMessage);
          if (options.auth && !reply.token) {
            child.kill('SIGKILL');
            reject(new Error(`${options.kind} server started with auth but issued no token`));
          } else resolve(new ServerHandle(options.kind, child, reply.port, reply.token));
        } else if (reply.type === 'failed') {
          clearTimeout(timer);
          child.off('exit', onExit);
          reject(new Error(`${options.kind} server failed to start: ${reply.message}`));
        }
      });
    });
  }

  private call(type: Command['type'], label?: string): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`${this.kind} server is gone`));
        return;
      }
      this.pending.set(id, resolve);
      this.child.send((type === 'measure-start' ? { id, type, label } : { id, type }) satisfies Command);
    });
  }

  /** Starts a measurement window; `label` names its CPU profile when the server profiles. */
  async measureStart(label?: string): Promise<void> {
    await this.call('measure-start', label);
  }

  /**
   * Resolves once the server handles no request (or gave up waiting, after a few minutes) and has
   * stored what it buffered for background writes (AuditEvents).
   */
  async idle(): Promise<void> {
    await this.call('idle');
  }

  async measureStop(): Promise<Measurement> {
    const reply = await this.call('measure-stop');
    if (reply.type !== 'measurement') throw new Error(`unexpected reply ${reply.type}`);
    return reply.measurement;
  }

  /** Asks the process to close its server and store, and exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call('shutdown').catch(() => undefined);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(kill);
  }
}
