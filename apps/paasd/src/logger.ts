import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths never written to platform logs: credentials, and anything that could hold a
 * config value. Fixed here so that a careless log call cannot leak them.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'token',
  '*.token',
  'password',
  'vars',
  '*.vars',
  'body',
  'req.body',
];

/**
 * One JSON logger on stdout (or a given stream, for tests). stdout is written asynchronously:
 * a synchronous write per line (pino's default) was the largest single cost of an API request
 * under concurrency (the reader of the pipe is woken for every line). Lines written while one
 * write is in flight go out together; pino flushes what is left when the process exits.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'paasd' } };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
