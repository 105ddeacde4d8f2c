import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config';

describe('loadConfig', () => {
  it('has defaults that run the server on 8080 with an embedded engine', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.baseUrl).toBe('http://localhost:8080/fhir');
    expect(config.mongodbUrl).toBeUndefined();
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.authEnabled).toBe(true);
    expect(config.jwtPrivateKey).toBeUndefined();
    expect(config.accessTokenTtlSeconds).toBe(3600);
    expect(config.dataDir).toBe('./data');
    expect(config.maxBodyBytes).toBe(5 * 1024 * 1024);
    expect(config.logLevel).toBe('info');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      BASE_URL: 'https://fhir.example.org/r4/',
      MONGODB_URL: 'mongodb://db:27017/?replicaSet=rs0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATA_DIR: '/var/lib/baobab',
      MAX_BODY_SIZE: '2mb',
      MAX_BINARY_SIZE: '512kb',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      port: 9000,
      baseUrl: 'https://fhir.example.org/r4',
      mongodbUrl: 'mongodb://db:27017/?replicaSet=rs0',
      redisUrl: 'redis://127.0.0.1:6379',
      dataDir: '/var/lib/baobab',
      maxBodyBytes: 2 * 1024 * 1024,
      maxBinaryBytes: 512 * 1024,
      logLevel: 'warn',
    });
  });

  it('names every bad variable in one clear error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', MONGODB_URL: 'http://nope', LOG_LEVEL: 'loud', MAX_BODY_SIZE: 'huge', BASE_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'MONGODB_URL', 'LOG_LEVEL', 'MAX_BODY_SIZE', 'BASE_URL']) expect(problems).toContain(name);
  });
});
