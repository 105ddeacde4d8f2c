/**
 * Synthea transaction Bundles, cloned with fresh ids so that the ingest benchmark can post more
 * resources than the 62 sample files hold (7,022).
 *
 * Clone k of a bundle is its JSON text with every UUID replaced by one derived from (k, UUID):
 * the `urn:uuid:` fullUrls and every reference to them, the resources' `id`s, and the Synthea
 * `identifier` values (which repeat the UUIDs). The same UUID gets the same replacement in every
 * bundle of a clone, so the clone is internally consistent, and different clones share none.
 *
 * Other identifiers (NPI, SSN, MRN-like values that are not UUIDs) are left as they are: no entry
 * is conditional (no `ifNoneExist`, no `Type?query` references; `load` checks and refuses data that
 * has any), so repeated identifiers cannot make a clone match earlier resources instead of
 * creating new ones. Every entry of every clone is a create.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SYNTHEA_DIR = process.env.BENCH_SYNTHEA_DIR || join(ROOT, '..', 'shared', 'data', 'synthea-r4');

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface SourceBundle {
  file: string;
  text: string;
  entries: number;
}

export interface ClonedBundle {
  /** Source file and clone number, for messages. */
  name: string;
  body: Buffer;
  entries: number;
}

interface BundleJson {
  resourceType?: string;
  type?: string;
  entry?: Array<{ fullUrl?: string; resource?: { resourceType?: string }; request?: { method?: string; ifNoneExist?: string } }>;
}

/** A UUID (version 5 layout) derived from the clone number and the original: deterministic, collision-free in practice. */
function derivedUuid(clone: number, original: string): string {
  const h = createHash('sha1').update(`${clone}:${original}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function check(file: string, bundle: BundleJson, text: string): void {
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction') throw new Error(`${file}: not a transaction Bundle`);
  for (const entry of bundle.entry ?? []) {
    if (entry.request?.method !== 'POST' || entry.request.ifNoneExist !== undefined) {
      throw new Error(`${file}: only unconditional POST entries are supported (cloning keeps non-UUID identifiers)`);
    }
  }
  if (/"reference"\s*:\s*"[A-Za-z]+\?/.test(text)) throw new Error(`${file}: conditional references are not supported`);
}

export class SyntheaClones {
  /** Clone numbers continue across calls, so every bundle handed out in a process is new. */
  private clone = 0;
  private index = 0;
  private cache = new Map<string, string>();

  private constructor(
    private readonly sources: SourceBundle[],
    readonly resourceTypes: string[],
  ) {}

  /** Hospital and practitioner bundles first, then the patients, so each clone's shared resources are stored first. */
  static load(dir = SYNTHEA_DIR): SyntheaClones {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const shared = (f: string) => (f.startsWith('hospitalInformation') ? 0 : f.startsWith('practitionerInformation') ? 1 : 2);
    files.sort((a, b) => shared(a) - shared(b) || a.localeCompare(b));
    const types = new Set<string>();
    const sources = files.map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const bundle = JSON.parse(text) as BundleJson;
      check(file, bundle, text);
      for (const entry of bundle.entry ?? []) if (entry.resource?.resourceType) types.add(entry.resource.resourceType);
      return { file, text, entries: bundle.entry?.length ?? 0 };
    });
    if (sources.length === 0) throw new Error(`no Synthea bundles in ${dir}`);
    return new SyntheaClones(sources, [...types].sort());
  }

  get bundlesPerClone(): number {
    return this.sources.length;
  }

  get resourcesPerClone(): number {
    return this.sources.reduce((n, s) => n + s.entries, 0);
  }

  next(): ClonedBundle {
    const source = this.sources[this.index]!;
    const clone = this.clone;
    const text = source.text.replace(UUID, (uuid) => {
      let fresh = this.cache.get(uuid);
      if (fresh === undefined) this.cache.set(uuid, (fresh = derivedUuid(clone, uuid)));
      return fresh;
    });
    if (++this.index === this.sources.length) this.startNextClone();
    return { name: `${source.file} (clone ${clone})`, body: Buffer.from(text), entries: source.entries };
  }

  private startNextClone(): void {
    this.index = 0;
    this.clone++;
    this.cache = new Map();
  }

  /**
   * Bundles from the start of a fresh clone, in order, until they hold at least `resources`
   * resources: every measured run has the same mix of bundles for the same target.
   */
  takeResources(resources: number): ClonedBundle[] {
    if (this.index !== 0) this.startNextClone();
    const out: ClonedBundle[] = [];
    for (let total = 0; total < resources; ) {
      const bundle = this.next();
      out.push(bundle);
      total += bundle.entries;
    }
    return out;
  }

  takeBundles(count: number): ClonedBundle[] {
    return Array.from({ length: count }, () => this.next());
  }
}
