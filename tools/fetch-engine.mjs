// Fetches the jars of mongo-java-server, Baobab's embedded MongoDB engine (DESIGN.md §5), into
// tools/target/dependency. Runs as the npm `postinstall` and, once, from src/store/mongo/engine.ts
// when the jars are missing. It never fails the install: without `mvn`/`java` or without access to
// Maven Central it explains what to do and exits 0 (the server then needs MONGODB_URL or another
// embedded engine). Set BAOBAB_SKIP_ENGINE_FETCH=1 to skip it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const toolsDir = dirname(fileURLToPath(import.meta.url));
const pom = join(toolsDir, 'pom.xml');
const jarDir = join(toolsDir, 'target', 'dependency');
/** Jars the launcher cannot run without (versions come from pom.xml). */
const REQUIRED = ['mongo-java-server-core-', 'mongo-java-server-memory-backend-', 'mongo-java-server-h2-backend-', 'h2-'];

const say = (msg) => console.log(`[baobab engine] ${msg}`);

export function hasEngineJars(dir = jarDir) {
  if (!existsSync(dir)) return false;
  const jars = readdirSync(dir).filter((f) => f.endsWith('.jar'));
  return REQUIRED.every((prefix) => jars.some((f) => f.startsWith(prefix)));
}

function hasCommand(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
  return !r.error && r.status === 0;
}

/** @returns {boolean} whether the jars are present afterwards */
export function fetchEngine() {
  if (process.env.BAOBAB_SKIP_ENGINE_FETCH === '1') {
    say('BAOBAB_SKIP_ENGINE_FETCH=1: not fetching mongo-java-server.');
    return hasEngineJars();
  }
  if (hasEngineJars()) return true;
  if (!hasCommand('java', ['-version']) || !hasCommand('mvn', ['-v'])) {
    say('mongo-java-server not fetched: `java` (17+) and `mvn` are needed. The server will use');
    say('MONGODB_URL, or another embedded engine if one is available. To fetch it later run:');
    say(`  mvn -q -f ${pom} dependency:copy-dependencies`);
    return false;
  }
  say('fetching mongo-java-server from Maven Central (tools/pom.xml)...');
  const r = spawnSync('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  // Maven's console library prints bare ANSI resets even with -q -B: show only real output.
  // eslint-disable-next-line no-control-regex
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(/\u001b\[[0-9;]*m/g, '').trim();
  if (output) console.log(output);
  if (r.error || r.status !== 0 || !hasEngineJars()) {
    say(`fetching mongo-java-server failed (${r.error?.message ?? `mvn exit code ${r.status}`}).`);
    say(`The install continues; set MONGODB_URL, or retry: mvn -q -f ${pom} dependency:copy-dependencies`);
    return false;
  }
  say(`mongo-java-server is ready in ${jarDir}`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  try {
    fetchEngine();
  } catch (err) {
    say(`skipped: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(0);
}
