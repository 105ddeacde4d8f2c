/** Starts the real app on the shared test MongoDB engine, in a database of its own. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import supertest from 'supertest';
import type { Config } from '../../src/config/config';
import { testConfig } from '../../src/config/config';
import { Container } from '../../src/container';
import type { ContainerOptions } from '../../src/container';
import { buildApp } from '../../src/app';
import { deleteKeys, redisConnection } from '../../src/jobs/redis';

export interface TestServer {
  container: Container;
  app: ReturnType<typeof buildApp>;
  request: ReturnType<typeof supertest>;
  config: Config;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<Config> = {}, options: ContainerOptions = {}): Promise<TestServer> {
  const config = testConfig({
    mongodbUrl: inject('mongoUrl'),
    mongodbDatabase: `t_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    seedDefinitions: false,
    baseUrl: 'http://localhost:8080/fhir',
    // Redis is shared by every test server: each gets its own key prefix, removed at close.
    redisPrefix: `test:${randomUUID()}:`,
    ...overrides,
  });
  const container = await Container.create(config, options);
  const app = buildApp(container);
  return {
    container,
    app,
    request: supertest(app),
    config,
    async close() {
      await container.mongoClient.db(config.mongodbDatabase).dropDatabase().catch(() => undefined);
      await container.close();
      const redis = redisConnection(config.redisUrl, container.logger, 'test-cleanup', { maxRetriesPerRequest: 1 });
      await redis.connect().then(() => deleteKeys(redis, config.redisPrefix)).catch(() => undefined);
      redis.disconnect();
    },
  };
}

export const FHIR_JSON = 'application/fhir+json';
