/** pino, configured once; request handlers log through a child carrying the request id. */
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'baobab' } });
}
