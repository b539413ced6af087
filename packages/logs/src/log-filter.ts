import type { LogEvent, LogSource } from './log-event.js';

/** `paas logs --ps web` (a type) or `--ps web.1` (one process), and `--source app|paas`. */
export interface LogFilter {
  readonly ps?: string;
  readonly source?: LogSource;
}

export function matchesFilter(event: LogEvent, filter: LogFilter): boolean {
  if (filter.source !== undefined && event.source !== filter.source) return false;
  if (filter.ps === undefined) return true;
  if (event.process === filter.ps) return true;
  // `web` matches web.1 and web.2, not webhook.1
  return !filter.ps.includes('.') && event.process.startsWith(`${filter.ps}.`);
}
