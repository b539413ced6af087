import type { AppLogLine } from '@paas/runtime';

/** Heroku keeps the last 1,500 lines of an app's log. */
export const LOG_LINES_KEPT = 1500;

export interface LogEvent extends AppLogLine {
  readonly time: string;
}

export interface AppLogBuffer {
  add(line: AppLogLine): void;
  /** The newest `count` lines of an app, oldest first. */
  tail(app: string, count?: number): LogEvent[];
  drop(app: string): void;
}

/** The last lines of each app's log stream, in memory. */
export function createAppLogBuffer(limit = LOG_LINES_KEPT): AppLogBuffer {
  const rings = new Map<string, LogEvent[]>();
  return {
    add(line) {
      let ring = rings.get(line.app);
      if (!ring) rings.set(line.app, (ring = []));
      ring.push({ ...line, time: new Date().toISOString() });
      if (ring.length > limit) ring.splice(0, ring.length - limit);
    },
    tail: (app, count = 100) => (rings.get(app) ?? []).slice(-Math.max(0, Math.min(count, limit))),
    drop: (app) => rings.delete(app),
  };
}

/** Heroku's log line: `2026-11-22T03:07:09.953Z app[web.1]: listening on 5000`. */
export function formatLogLine(event: LogEvent): string {
  return `${event.time} ${event.source}[${event.process}]: ${event.line}`;
}
