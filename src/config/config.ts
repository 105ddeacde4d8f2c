/**
 * Typed configuration read from environment variables once at boot and passed
 * down explicitly. Invalid values stop the process with a message naming the variable.
 */
import { generateKeyPairSync } from 'node:crypto';

export interface Config {
  port: number;
  /** Public base URL of the FHIR endpoint, without trailing slash, e.g. http://localhost:8080/fhir */
  baseUrl: string;
  mongodbUrl: string | undefined;
  /** Database name inside the MongoDB deployment. */
  mongodbDatabase: string;
  /** Redis (job queues, rate limits); the local default when unset. */
  redisUrl: string;
  /** Where an embedded engine keeps its files. */
  dataDir: string;
  /** Largest accepted request body for FHIR JSON, in bytes. */
  maxBodyBytes: number;
  /** Largest accepted raw Binary upload, in bytes. */
  maxBinaryBytes: number;
  logLevel: string;
  /** Default and maximum page size for history (and later search). */
  defaultPageSize: number;
  maxPageSize: number;
  /** Conditional delete may delete several matches (else 412), up to this many. */
  conditionalDeleteMultiple: boolean;
  /**
   * Without MongoDB transactions, an undo journal older than this is taken to belong to a
   * crashed process and is rolled back (at start, and once more this long after it). Only
   * lower it when a single server process uses the database.
   */
  journalRecoveryAgeMs: number;
  /** Largest number of entries accepted in a batch or transaction Bundle (413 beyond). */
  maxBundleEntries: number;
  conditionalDeleteMax: number;
  /** Store the R4 conformance resources (StructureDefinitions, SearchParameters…) at start. */
  seedDefinitions: boolean;
  /** Require a bearer token on the FHIR API (SMART on FHIR). Off only for development and the older test suites. */
  authEnabled: boolean;
  /** Write an AuditEvent for every interaction with patient data (only when authentication is on). */
  auditEnabled: boolean;
  /** How long AuditEvents are buffered before being stored in one batch. */
  auditFlushMs: number;
  /** What $validate says of an extension whose definition it cannot find (the reference validator: error). */
  validateUnknownExtensions: 'error' | 'warning' | 'information';
  /** URL prefixes whose extensions $validate accepts without a definition (partners' own). */
  validateExtensionDomains: string[];
  /** Profiles every written resource of a type must meet (REQUIRED_PROFILES=`Patient=url,Practitioner=url`). */
  requiredProfiles: Record<string, string[]>;
  /** PEM of the RSA key that signs access tokens; generated and stored in the database when unset. */
  jwtPrivateKey: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** The first admin account, created at first start (a random password is logged once when unset). */
  adminEmail: string;
  adminPassword: string | undefined;
  /** SMTP server for account emails (smtp: or smtps: URL); unset: emails are written to the log. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Failed logins before an account is locked, and for how long. */
  loginMaxFailures: number;
  loginLockoutSeconds: number;
  /** Requests per minute per client IP on /auth and /oauth2 endpoints. */
  authRateLimitPerMinute: number;
  /** Browser origins allowed by CORS (empty: none). */
  corsOrigins: string[];
  /**
   * Which proxies to believe about the client's address (X-Forwarded-For), as express's
   * `trust proxy`: a hop count, `loopback`, subnets… Unset: none (the socket's address is used
   * for audit and rate limits).
   */
  trustProxy: boolean | number | string | undefined;
  /** Prefix of every Redis key and BullMQ queue of this deployment. */
  redisPrefix: string;
  /** The national registry (issue 7): license numbers are `{prefix}-{TYPE}-{YYYY}-{NNNNN}`. */
  registryLicensePrefix: string;
  /** How long an issued or renewed license runs, in months. */
  registryLicenseTermMonths: number;
  /** Name of the registry's Organization, the issuer of every license. */
  registryName: string;
  /** Requests per minute per client IP on the public registry (operations and pages). */
  registryPublicRateLimitPerMinute: number;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** Parses sizes such as `1048576`, `512kb`, `5mb`. */
function parseBytes(raw: string): number | undefined {
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  if (!match) return undefined;
  const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
  return Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1);
}

function parseRequiredProfiles(raw: string | undefined, problems: string[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const part of (raw ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([A-Z][A-Za-z]+)=(\S+)$/.exec(part);
    if (!match) {
      problems.push(`REQUIRED_PROFILES entries are Type=profile-url (got "${part}")`);
      continue;
    }
    (result[match[1]!] ??= []).push(match[2]!);
  }
  return result;
}

function parseTrustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bytes = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = parseBytes(raw);
    if (value === undefined || value < 1024) {
      problems.push(`${name} must be a size of at least 1kb such as 1048576, 512kb or 5mb (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
    } catch {
      problems.push(`${name} is not a valid URL (got "${raw}")`);
    }
    return raw;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  };

  const port = int('PORT', 8080, 0, 65535);
  const baseUrl = (url('BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}/fhir`).replace(/\/+$/, '');
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const defaultPageSize = int('DEFAULT_PAGE_SIZE', 20, 1, 1000);
  const maxPageSize = int('MAX_PAGE_SIZE', 1000, 1, 10000);
  if (defaultPageSize > maxPageSize) problems.push('DEFAULT_PAGE_SIZE must not exceed MAX_PAGE_SIZE');
  const mongodbDatabase = env.MONGODB_DATABASE ?? 'baobab';
  if (!/^[A-Za-z0-9_-]{1,38}$/.test(mongodbDatabase)) {
    problems.push(`MONGODB_DATABASE must be 1-38 letters, digits, _ or - (got "${mongodbDatabase}")`);
  }

  const config: Config = {
    port,
    baseUrl,
    mongodbUrl: url('MONGODB_URL', ['mongodb:', 'mongodb+srv:']),
    mongodbDatabase,
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']) ?? 'redis://127.0.0.1:6379',
    dataDir: env.DATA_DIR || './data',
    maxBodyBytes: bytes('MAX_BODY_SIZE', 5 * 1024 * 1024),
    maxBinaryBytes: bytes('MAX_BINARY_SIZE', 8 * 1024 * 1024),
    logLevel,
    defaultPageSize,
    maxPageSize,
    seedDefinitions: bool('SEED_DEFINITIONS', true),
    conditionalDeleteMultiple: bool('CONDITIONAL_DELETE_MULTIPLE', false),
    conditionalDeleteMax: int('CONDITIONAL_DELETE_MAX', 100, 1, 10000),
    maxBundleEntries: int('MAX_BUNDLE_ENTRIES', 1000, 1, 100000),
    journalRecoveryAgeMs: int('JOURNAL_RECOVERY_AGE_MS', 60_000, 0, 86_400_000),
    authEnabled: bool('AUTH_ENABLED', true),
    auditEnabled: bool('AUDIT_ENABLED', true),
    auditFlushMs: int('AUDIT_FLUSH_MS', 100, 1, 600_000),
    requiredProfiles: parseRequiredProfiles(env.REQUIRED_PROFILES, problems),
    validateUnknownExtensions: oneOf('VALIDATE_UNKNOWN_EXTENSIONS', ['error', 'warning', 'information'] as const, 'error'),
    validateExtensionDomains: (env.VALIDATE_EXTENSION_DOMAINS ?? '').split(',').map((d) => d.trim()).filter(Boolean),
    jwtPrivateKey: env.JWT_PRIVATE_KEY || undefined,
    accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 3600, 30, 86_400),
    refreshTokenTtlSeconds: int('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, 60, 365 * 86_400),
    adminEmail: (env.ADMIN_EMAIL || 'admin@baobab.local').toLowerCase(),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: env.MAIL_FROM || 'Baobab <no-reply@baobab.local>',
    loginMaxFailures: int('LOGIN_MAX_FAILURES', 5, 1, 100),
    loginLockoutSeconds: int('LOGIN_LOCKOUT_SECONDS', 900, 1, 86_400),
    authRateLimitPerMinute: int('AUTH_RATE_LIMIT_PER_MINUTE', 30, 1, 100_000),
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    redisPrefix: env.REDIS_PREFIX || 'baobab:',
    registryLicensePrefix: env.REGISTRY_LICENSE_PREFIX || 'BAO',
    registryLicenseTermMonths: int('REGISTRY_LICENSE_TERM_MONTHS', 12, 1, 120),
    registryName: env.REGISTRY_NAME || 'Baobab National Health Professions Registry',
    registryPublicRateLimitPerMinute: int('REGISTRY_PUBLIC_RATE_LIMIT_PER_MINUTE', 120, 1, 100_000),
  };
  if (!/^[A-Z0-9]{2,10}$/.test(config.registryLicensePrefix)) {
    problems.push(`REGISTRY_LICENSE_PREFIX must be 2-10 capital letters or digits (got "${config.registryLicensePrefix}")`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

let testSigningKey: string | undefined;

/**
 * Configuration for tests and tools: defaults plus overrides, no environment. Authentication is
 * off unless asked for, and one signing key per process saves generating one per test server.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  testSigningKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { ...loadConfig({ LOG_LEVEL: 'silent' }), authEnabled: false, jwtPrivateKey: testSigningKey, ...overrides };
}
