import type { Config } from './config.js';

/** Heroku's numbers, from the configuration. */
export function runtimeTimings(config: Pick<Config, 'bootTimeoutMs' | 'stopGraceMs'>): { bootTimeoutMs: number; graceMs: number } {
  return { bootTimeoutMs: config.bootTimeoutMs, graceMs: config.stopGraceMs };
}
