/**
 * The key pair that signs our access tokens (RS256). From `JWT_PRIVATE_KEY` (PEM) when set;
 * otherwise generated on first start and kept in the database, so every server process signs
 * with the same key and tokens survive a restart. The public half is served as a JWKS.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

export interface StoredSigningKey {
  kid: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  createdAt: Date;
}

/** Where generated keys are kept (store/mongo/signing-key-store.ts). */
export interface SigningKeyStore {
  /** The current key, if one was stored. */
  current(): Promise<StoredSigningKey | undefined>;
  /** Stores `key` as the current one unless another process did first; returns the current key. */
  storeIfAbsent(key: StoredSigningKey): Promise<StoredSigningKey>;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWK (`kid`, `use: sig`, `alg: RS256`). */
  jwk: JsonWebKey;
}

/** RFC 7638 thumbprint of an RSA public key: a stable `kid`. */
function thumbprint(jwk: JsonWebKey): string {
  return createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
}

function fromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('JWT_PRIVATE_KEY must be an RSA private key (RS256)');
  const publicKey = createPublicKey(privateKey);
  const exported = publicKey.export({ format: 'jwk' });
  const kid = thumbprint(exported);
  return { kid, privateKey, publicKey, jwk: { ...exported, kid, use: 'sig', alg: 'RS256' } };
}

function generate(): StoredSigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { kid: fromPem(pem).kid, privateKeyPem: pem, createdAt: new Date() };
}

/** The signing key: configured, stored, or generated and stored. */
export async function loadSigningKey(configuredPem: string | undefined, store: SigningKeyStore): Promise<SigningKey> {
  if (configuredPem) return fromPem(configuredPem);
  const stored = (await store.current()) ?? (await store.storeIfAbsent(generate()));
  return fromPem(stored.privateKeyPem);
}
