/**
 * The public keys of confidential-asymmetric clients (SMART Backend Services): a JWKS given
 * inline at registration or fetched from the client's `jwks_uri` (time limit, size limit, no
 * redirects, cached; refetched when an unknown `kid` shows up, at most every 30 s).
 */
import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** Client assertion algorithms: the two SMART Backend Services requires servers to support. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

export function isAssertionAlgorithm(alg: unknown): alg is AssertionAlgorithm {
  return typeof alg === 'string' && (ASSERTION_ALGORITHMS as readonly string[]).includes(alg);
}

export interface ClientJwks {
  keys: JsonWebKey[];
}

export class InvalidJwks extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJwks';
  }
}

const MAX_KEYS = 20;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** One public signing key, reduced to its public members; InvalidJwks when unusable. */
function publicJwk(value: unknown, index: number): JsonWebKey {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidJwks(`keys[${index}] is not a JSON object`);
  const jwk = value as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw new InvalidJwks(`keys[${index}] contains private key material`);
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid.length > 200)) throw new InvalidJwks(`keys[${index}].kid must be a string`);
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new InvalidJwks(`keys[${index}].use must be "sig"`);
  let kept: JsonWebKey;
  if (jwk.kty === 'RSA') {
    if (jwk.alg !== undefined && jwk.alg !== 'RS384') throw new InvalidJwks(`keys[${index}]: RSA keys sign with RS384`);
    kept = { kty: 'RSA', n: jwk.n as string, e: jwk.e as string };
  } else if (jwk.kty === 'EC') {
    if (jwk.crv !== 'P-384') throw new InvalidJwks(`keys[${index}]: EC keys must use the P-384 curve (ES384)`);
    if (jwk.alg !== undefined && jwk.alg !== 'ES384') throw new InvalidJwks(`keys[${index}]: P-384 keys sign with ES384`);
    kept = { kty: 'EC', crv: 'P-384', x: jwk.x as string, y: jwk.y as string };
  } else {
    throw new InvalidJwks(`keys[${index}].kty must be RSA or EC`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: kept, format: 'jwk' });
  } catch {
    throw new InvalidJwks(`keys[${index}] is not a valid public key`);
  }
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new InvalidJwks(`keys[${index}]: RSA keys need at least 2048 bits`);
  }
  for (const member of ['kid', 'alg', 'use'] as const) if (typeof jwk[member] === 'string') kept[member] = jwk[member];
  return kept;
}

/** A JWKS as a client registers or serves it, checked and reduced to public signing keys. */
export function parseClientJwks(value: unknown): ClientJwks {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new InvalidJwks('a JWKS is an object with a "keys" array');
  }
  const keys = (value as { keys: unknown[] }).keys;
  if (keys.length === 0 || keys.length > MAX_KEYS) throw new InvalidJwks(`a JWKS needs 1 to ${MAX_KEYS} keys`);
  return { keys: keys.map(publicJwk) };
}

/**
 * The keys of `jwks` that can check a signature made with `alg` and the header's `kid`: RSA
 * keys for RS384, P-384 keys for ES384; a key with an `alg` must name the same one. Without a
 * `kid` in the header, every matching key is a candidate.
 */
export function candidateKeys(jwks: ClientJwks, alg: AssertionAlgorithm, kid: string | undefined): KeyObject[] {
  const kty = alg === 'RS384' ? 'RSA' : 'EC';
  return jwks.keys
    .filter((jwk) => jwk.kty === kty && (jwk.alg === undefined || jwk.alg === alg) && (kid === undefined || jwk.kid === kid))
    .flatMap((jwk) => {
      try {
        return [createPublicKey({ key: jwk, format: 'jwk' })];
      } catch {
        return [];
      }
    });
}

export interface JwksFetcherOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** How long a fetched set is used before it is fetched again. */
  ttlMs?: number;
  /** The least time between two fetches of one URL (a stream of unknown kids cannot make us hammer it). */
  minIntervalMs?: number;
}

interface CacheEntry {
  jwks: ClientJwks;
  fetchedAt: number;
}

export class JwksFetcher {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ClientJwks>>();
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly minIntervalMs: number;

  constructor(options: JwksFetcherOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxBytes = options.maxBytes ?? 64 * 1024;
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.minIntervalMs = options.minIntervalMs ?? 30_000;
  }

  /** The set at `url`: cached unless older than the TTL, or `refresh` asks for a fresh copy (rate-limited). */
  async get(url: string, refresh = false): Promise<ClientJwks> {
    const cached = this.cache.get(url);
    const age = cached ? Date.now() - cached.fetchedAt : Infinity;
    if (cached && (age < this.minIntervalMs || (!refresh && age < this.ttlMs))) return cached.jwks;
    let pending = this.inflight.get(url);
    if (!pending) {
      pending = this.fetch(url).finally(() => this.inflight.delete(url));
      this.inflight.set(url, pending);
    }
    const jwks = await pending;
    this.cache.set(url, { jwks, fetchedAt: Date.now() });
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value as string);
    return jwks;
  }

  private async fetch(url: string): Promise<ClientJwks> {
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    } catch {
      throw new InvalidJwks('the client JWKS could not be fetched');
    }
    if (!response.ok || !response.body) throw new InvalidJwks(`the client JWKS URL answered ${response.status}`);
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new InvalidJwks('the client JWKS is too large');
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new InvalidJwks('the client JWKS is too large');
        }
        chunks.push(value);
      }
    } catch (err) {
      if (err instanceof InvalidJwks) throw err;
      throw new InvalidJwks('the client JWKS could not be fetched');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new InvalidJwks('the client JWKS is not JSON');
    }
    return parseClientJwks(parsed);
  }
}
