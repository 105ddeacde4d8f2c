/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by package and by function, and
 * inclusive time of the functions in src/. Used by `BENCH_PROFILE=1 npm run bench`, or on its own:
 * `tsx bench/profile-summary.ts bench/profiles/<file>.cpuprofile`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function where(frame: CallFrame, root: string): string {
  let url = frame.url;
  if (url.startsWith('file://')) url = fileURLToPath(url);
  if (url.startsWith(root)) url = url.slice(root.length).replace(/^\/+/, '');
  // Line numbers of TypeScript files are those of tsx's output, not of the source: leave them out.
  if (url.endsWith('.ts')) return url;
  return url ? `${url}:${frame.lineNumber + 1}` : '';
}

function label(frame: CallFrame, root: string): string {
  const at = where(frame, root);
  return `${frame.functionName || '(anonymous)'}${at ? ` ${at}` : ''}`;
}

/** Where the code lives: a package, node internals, our src/ folder, or a V8 pseudo-frame. */
function area(frame: CallFrame, root: string): string {
  const url = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const rel = url.startsWith(root) ? url.slice(root.length).replace(/^\/+/, '') : url;
  const parts = rel.split('/');
  return parts.length > 2 ? parts.slice(0, -1).join('/') : rel;
}

export function summariseProfile(file: string, root: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Self time per node from the samples and their time deltas (µs).
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    // A sample's duration is the delta to the next one.
    const us = deltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + us);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const busy = total - idle;

  const selfBy = (key: (frame: CallFrame) => string) => {
    const sums = new Map<string, number>();
    for (const [id, us] of self) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(idle)') continue;
      const k = key(frame);
      sums.set(k, (sums.get(k) ?? 0) + us);
    }
    return [...sums.entries()].sort((a, b) => b[1] - a[1]);
  };

  // Inclusive time of our functions: each sample counts once per distinct function on its stack.
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = byId.get(n)!.callFrame;
      if (!frame.url.includes('/src/') && !frame.url.includes('/bench/')) continue;
      const k = label(frame, root);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }

  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const lines: string[] = [];
  lines.push(`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled (idle excluded from the percentages)`);
  lines.push('', 'Self time by area:');
  for (const [k, us] of selfBy((f) => area(f, root)).slice(0, 15)) lines.push(`  ${ms(us)} ${pct(us)}  ${k}`);
  lines.push('', 'Self time by function:');
  for (const [k, us] of selfBy((f) => label(f, root)).slice(0, top)) lines.push(`  ${ms(us)} ${pct(us)}  ${k}`);
  lines.push('', 'Inclusive time of functions in src/ (and bench/):');
  for (const [k, us] of [...inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${ms(us)} ${pct(us)}  ${k}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summariseProfile(file, fileURLToPath(new URL('..', import.meta.url)), Number(process.argv[3] ?? 25)));
}
