/** Process entry: config → container → listen → graceful shutdown on SIGTERM/SIGINT. */
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import { Container } from './container';
import { createLogger } from './platform/logger';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const container = await Container.create(config, { logger });
  const app = buildApp(container);
  const server = app.listen(config.port, () => {
    logger.info({ port: config.port, baseUrl: config.baseUrl }, `Baobab FHIR server listening; base URL ${config.baseUrl}`);
  });
  server.on('error', (err) => {
    logger.fatal({ err }, 'HTTP server error');
    void container.close().finally(() => process.exit(1));
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn('requests still in flight after the grace period; closing anyway');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(() => {
      container.close().then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'error while closing the store');
          process.exit(1);
        },
      );
    });
    // Connections that finish their last request after this point are idle keep-alives: close them
    // as they become idle instead of waiting for the keep-alive timeout.
    setInterval(() => server.closeIdleConnections(), 100).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));
}

main().catch((err: unknown) => {
  console.error('Baobab failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
