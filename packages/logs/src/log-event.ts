/** Where a line came from: the app's own processes, or the platform acting on the app. */
export type LogSource = 'app' | 'paas';

/** One line of an app's log stream, as `paas logs`, the dashboard and drains see it. */
export interface LogEvent {
  /** ISO 8601 with milliseconds, UTC. */
  readonly time: string;
  readonly source: LogSource;
  /** `web.1`, `run.4821`, `router`, `api`, `build`, `deploy`, `logs`… */
  readonly process: string;
  readonly line: string;
}

/** Heroku splits longer lines; a drain frame stays well under syslog receivers' limits. */
export const MAX_LINE_BYTES = 10_000;

/** Heroku's text form: `2026-11-22T03:07:09.953Z app[web.1]: listening on 5000`. */
export function formatLogLine(event: LogEvent): string {
  return `${event.time} ${event.source}[${event.process}]: ${event.line}`;
}
