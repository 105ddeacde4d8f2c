/**
 * Passwords: scrypt (node:crypto) with a random salt, the parameters kept in the hash so they can
 * be raised later, compared in constant time. The policy is short and documented in README
 * ("Accounts"): 10 to 256 characters, from at least two of lower-case letters, upper-case letters,
 * digits and other characters, and not the email address itself.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

const MIN_LENGTH = 10;
/** Long enough for passphrases, short enough that hashing stays cheap for any input. */
const MAX_LENGTH = 256;
/** N = 2^15, r = 8, p = 1: about 32 MB and a few tens of milliseconds per hash. */
const LOG_N = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const optionsFor = (logN: number, r: number, p: number): ScryptOptions => ({ N: 2 ** logN, r, p, maxmem: 2 ** logN * r * 128 * 2 + 1024 * 1024 });

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<key>` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, optionsFor(LOG_N, BLOCK_SIZE, PARALLELISM));
  return ['scrypt', LOG_N, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `hash`; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every(Number.isInteger) || logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== KEY_LENGTH || typeof password !== 'string' || password.length > MAX_LENGTH) return false;
  const key = await derive(password, salt, optionsFor(logN, r, p));
  return timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;

/** A hash of nothing anyone knows: checking a password against it costs what a real check costs. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummy;
}

/** Why `password` is refused, or undefined when the policy accepts it. */
export function passwordProblem(password: string, email?: string): string | undefined {
  if (password.length < MIN_LENGTH) return `the password must have at least ${MIN_LENGTH} characters`;
  if (password.length > MAX_LENGTH) return `the password must have at most ${MAX_LENGTH} characters`;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 2) return 'the password must mix at least two of: lower-case letters, upper-case letters, digits, other characters';
  if (email !== undefined && password.trim().toLowerCase() === email.toLowerCase()) return 'the password must not be the email address';
  return undefined;
}

/** A random password that satisfies the policy (the first admin's, when ADMIN_PASSWORD is unset). */
export function randomPassword(): string {
  // 24 base64url characters (144 bits); the suffix guarantees two character classes.
  return `${randomBytes(18).toString('base64url')}-7a`;
}
