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

/** One JSON logger on stdout (or a given stream, for tests). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'paasd' } };
  return destination ? pino(options, destination) : pino(options);
}
