import type { Drain, DrainReports, DrainTarget } from './drain.js';
import type { LogEvent, LogSource } from './log-event.js';
import { matchesFilter } from './log-filter.js';
import type { LogFilter } from './log-filter.js';
import type { LogSink } from './log-stream-message.js';
import { splitLongLine } from './line-split.js';
import { LogRing } from './log-ring.js';

/** Heroku keeps the last 1,500 lines of an app's log. */
export const LOG_LINES_KEPT = 1500;
/** A live reader this far behind (bytes unsent) misses lines until it catches up. */
export const SUBSCRIBER_BACKLOG_LIMIT = 1024 * 1024;

export interface LogInput {
  readonly source: LogSource;
  readonly process: string;
  readonly line: string;
}

export interface Subscription {
  close(): void;
}

export interface LogRouterOptions {
  readonly linesKept?: number;
  readonly subscriberBacklogLimit?: number;
  /** Makes the outbound stream of one drain; paasd passes the syslog/HTTPS drain factory. */
  readonly createDrain: (target: DrainTarget, reports: DrainReports) => Drain;
  readonly now?: () => Date;
}

export interface LogRouter {
  /** One line from a process, the router or the platform; long lines are split. Never throws. */
  publish(app: string, input: LogInput): void;
  /** The newest `lines` kept lines that pass the filter, oldest first. */
  recent(app: string, lines: number, filter?: LogFilter): LogEvent[];
  subscribe(app: string, filter: LogFilter, sink: LogSink): Subscription;
  /** Makes the app's drains exactly these: new ones start, removed ones flush and stop. */
  setDrains(app: string, targets: readonly DrainTarget[]): Promise<void>;
  drainStats(app: string): Map<string, ReturnType<Drain['stats']>>;
  /** The app is gone: its buffer, readers and drains go too. */
  removeApp(app: string): Promise<void>;
  close(): Promise<void>;
}

interface Subscriber {
  readonly filter: LogFilter;
  readonly sink: LogSink;
  missed: number;
}

interface AppStream {
  readonly ring: LogRing;
  readonly subscribers: Set<Subscriber>;
  readonly drains: Map<string, { readonly target: DrainTarget; readonly drain: Drain }>;
}

/** The log router: every line of an app goes to its ring buffer, its live readers and its drains. */
export function createLogRouter(options: LogRouterOptions): LogRouter {
  const linesKept = options.linesKept ?? LOG_LINES_KEPT;
  const backlogLimit = options.subscriberBacklogLimit ?? SUBSCRIBER_BACKLOG_LIMIT;
  const clock = options.now;
  // The router publishes a line per request, thousands a second: the ISO time is made once per
  // millisecond, not per line.
  let lastMs = Number.NaN;
  let lastIso = '';
  const isoNow = (): string => {
    const ms = clock === undefined ? Date.now() : clock().getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
  const streams = new Map<string, AppStream>();

  const streamOf = (app: string): AppStream => {
    let stream = streams.get(app);
    if (!stream) streams.set(app, (stream = { ring: new LogRing(linesKept), subscribers: new Set(), drains: new Map() }));
    return stream;
  };

  const deliver = (stream: AppStream, event: LogEvent): void => {
    for (const subscriber of stream.subscribers) {
      if (!matchesFilter(event, subscriber.filter)) continue;
      // A slow reader loses lines, never holds up the app or the other readers.
      if (subscriber.sink.backlog() > backlogLimit) {
        subscriber.missed += 1;
        continue;
      }
      if (subscriber.missed > 0) {
        subscriber.sink.send({ type: 'missed', count: subscriber.missed });
        subscriber.missed = 0;
      }
      subscriber.sink.send({ type: 'line', ...event });
    }
  };

  /** Drain reports go to the buffer and readers only: a drain's trouble must not feed drains. */
  const report = (app: string, line: string): void => {
    const stream = streamOf(app);
    const event: LogEvent = { time: isoNow(), source: 'paas', process: 'logs', line };
    stream.ring.push(event);
    deliver(stream, event);
  };

  const publish = (app: string, input: LogInput): void => {
    const stream = streamOf(app);
    const time = isoNow();
    for (const line of splitLongLine(input.line)) {
      const event: LogEvent = { time, source: input.source, process: input.process, line };
      stream.ring.push(event);
      if (stream.subscribers.size > 0) deliver(stream, event);
      for (const { drain } of stream.drains.values()) drain.push(event);
    }
  };

  const closeDrains = async (stream: AppStream, ids: readonly string[]): Promise<void> => {
    const closing = ids.map((id) => {
      const entry = stream.drains.get(id);
      stream.drains.delete(id);
      return entry ? entry.drain.close() : Promise.resolve();
    });
    await Promise.all(closing);
  };

  return {
    publish,
    recent(app, lines, filter = {}) {
      const events = streams.get(app)?.ring.toArray() ?? [];
      const kept = filter.ps === undefined && filter.source === undefined ? events : events.filter((event) => matchesFilter(event, filter));
      return lines <= 0 ? [] : kept.slice(-lines);
    },
    subscribe(app, filter, sink) {
      const stream = streamOf(app);
      const subscriber: Subscriber = { filter, sink, missed: 0 };
      stream.subscribers.add(subscriber);
      return { close: () => stream.subscribers.delete(subscriber) };
    },
    async setDrains(app, targets) {
      const stream = streamOf(app);
      const wanted = new Map(targets.map((target) => [target.id, target]));
      const stale = [...stream.drains].filter(([id, entry]) => wanted.get(id)?.url !== entry.target.url).map(([id]) => id);
      await closeDrains(stream, stale);
      for (const target of targets) {
        if (stream.drains.has(target.id)) continue;
        const reports: DrainReports = { onOverflow: (line) => report(app, line), onError: (line) => report(app, line) };
        try {
          stream.drains.set(target.id, { target, drain: options.createDrain(target, reports) });
        } catch (error) {
          // A URL stored before a rule tightened: the app's other outlets keep working.
          report(app, `Error L13 (drain delivery error): drain ${target.id} cannot be used: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
    drainStats(app) {
      return new Map([...(streams.get(app)?.drains ?? [])].map(([id, { drain }]) => [id, drain.stats()]));
    },
    async removeApp(app) {
      const stream = streams.get(app);
      if (!stream) return;
      streams.delete(app);
      stream.subscribers.clear();
      await closeDrains(stream, [...stream.drains.keys()]);
    },
    async close() {
      await Promise.all([...streams.values()].map((stream) => closeDrains(stream, [...stream.drains.keys()])));
    },
  };
}
