import {
  METRICS_RETENTION_MS, addTally, countRequest, emptyMinute, emptyTally, metricsSeries, minuteOf, recordOccurrence, recordSample,
  type MetricsPoint, type MinuteMetrics, type ProcessOccurrence, type RequestTally,
} from '@paas/core';
import type { AccessEntry } from '@paas/router';
import type { ProcessEvent, ProcessInfo, ProcessUsage } from '@paas/runtime';
import type { Store } from '@paas/store';

import type { Logger } from '../logger.js';

export interface MetricsRecorderOptions {
  readonly store: Store;
  readonly processes: () => Promise<ProcessInfo[]>;
  readonly usage?: (id: string) => Promise<ProcessUsage | undefined>;
  /** The memory a process's size allows, for R14. */
  readonly quotaMb?: (app: string, type: string) => number | undefined;
  /** What a sample found written in a process's app dir (for the scorecard). */
  readonly onWrites?: (process: ProcessInfo, writes: readonly string[]) => void;
  readonly logger: Logger;
  readonly sampleMs?: number;
  readonly flushMs?: number;
  readonly now?: () => number;
}

export interface MetricsRecorder {
  request(app: string, entry: AccessEntry): void;
  processEvent(event: ProcessEvent): void;
  /** Samples every running process once (the timer calls it). */
  sample(): Promise<void>;
  /** Writes the minutes seen so far to the store and prunes what is older than 24 hours. */
  flush(): void;
  series(app: string, sinceMs: number, untilMs: number, stepMs: number): MetricsPoint[];
  start(): void;
  close(): Promise<void>;
}

/**
 * Per-minute aggregates from what the platform already sees: router access entries,
 * process samples (memory, CPU) and lifecycle events. The current minutes live here and
 * are written every `flushMs`; a minute written before a restart is read back and added to.
 */
export function createMetricsRecorder(options: MetricsRecorderOptions): MetricsRecorder {
  const now = options.now ?? Date.now;
  const sampleMs = options.sampleMs ?? 10_000;
  const flushMs = options.flushMs ?? 10_000;
  /** `app` → its minute in progress (and the ones not yet written). */
  const open = new Map<string, MinuteMetrics[]>();
  const dirty = new Set<MinuteMetrics>();
  /** Process id → CPU seconds at the last sample, for CPU % between samples. */
  const lastCpu = new Map<string, { cpuSeconds: number; at: number }>();
  const started = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let sampling: Promise<void> | undefined;

  /** `app` → the requests counted since its minute was last read or written (see `RequestTally`). */
  const tallies = new Map<string, { readonly minute: number; readonly tally: RequestTally }>();

  const update = (app: string, change: (m: MinuteMetrics) => MinuteMetrics, minute = minuteOf(now())): void => {
    const minutes = open.get(app) ?? [];
    let index = minutes.findIndex((m) => m.minute === minute);
    if (index < 0) {
      // The store is read once per app and minute, not on every request: the router calls this
      // for each one. An app destroyed meanwhile is dropped at the next flush.
      const appId = options.store.apps.get(app)?.id;
      if (appId === undefined) return;
      const stored = options.store.metrics.minutes(appId, minute).find((m) => m.minute === minute);
      minutes.push(stored ?? emptyMinute(minute));
      index = minutes.length - 1;
    }
    const before = minutes[index] as MinuteMetrics;
    const after = change(before);
    dirty.delete(before);
    dirty.add(after);
    minutes[index] = after;
    open.set(app, minutes);
  };

  const occurrence = (app: string, what: ProcessOccurrence): void => update(app, (m) => recordOccurrence(m, what));

  /** Folds the app's counted requests into their minute. */
  const settle = (app: string): void => {
    const counted = tallies.get(app);
    if (counted === undefined) return;
    tallies.delete(app);
    update(app, (m) => addTally(m, counted.tally), counted.minute);
  };

  async function sampleOnce(): Promise<void> {
    if (!options.usage) return;
    const running = (await options.processes()).filter((p) => p.status === 'running');
    const at = now();
    for (const id of lastCpu.keys()) if (!running.some((p) => p.id === id)) lastCpu.delete(id);
    await Promise.all(running.map(async (p) => {
      const used = await options.usage?.(p.id).catch((error: unknown) => {
        options.logger.debug({ err: error, id: p.id }, 'process usage not read');
        return undefined;
      });
      if (!used) return;
      const previous = lastCpu.get(p.id) ?? { cpuSeconds: 0, at: Date.parse(p.startedAt) };
      lastCpu.set(p.id, { cpuSeconds: used.cpuSeconds, at });
      const wallSeconds = Math.max(0.001, (at - previous.at) / 1000);
      const cpuPercent = Math.max(0, ((used.cpuSeconds - previous.cpuSeconds) / wallSeconds) * 100);
      const quotaMb = options.quotaMb?.(p.app, p.type);
      update(p.app, (m) => recordSample(m, { name: p.name, memoryMb: used.memoryMb, cpuPercent: Math.round(cpuPercent * 10) / 10, ...(quotaMb === undefined ? {} : { quotaMb }) }));
      if (used.writes) options.onWrites?.(p, used.writes);
    }));
  }

  const recorder: MetricsRecorder = {
    request(app, entry) {
      const minute = minuteOf(now());
      let counted = tallies.get(app);
      if (counted !== undefined && counted.minute !== minute) {
        settle(app);
        counted = undefined;
      }
      if (counted === undefined) {
        counted = { minute, tally: emptyTally() };
        tallies.set(app, counted);
      }
      const responseMs = entry.serviceMs === undefined ? undefined : (entry.connectMs ?? 0) + entry.serviceMs;
      countRequest(counted.tally, entry.status, responseMs, entry.error?.code);
    },
    processEvent(event) {
      const key = `${event.app}/${String(event.release)}/${event.name}`;
      if (event.kind === 'started') {
        // The first start of a process of a release is the deploy; later ones are restarts.
        if (started.has(key)) occurrence(event.app, 'restart');
        started.add(key);
      } else if (event.kind === 'crashed') {
        occurrence(event.app, 'crash');
        if (event.oom) occurrence(event.app, 'r14');
      } else if (event.kind === 'boot-timeout') {
        occurrence(event.app, 'crash');
      } else if (event.kind === 'stopped' && event.killed) {
        occurrence(event.app, 'r12');
      }
    },
    sample() {
      sampling ??= sampleOnce().finally(() => {
        sampling = undefined;
      });
      return sampling;
    },
    flush() {
      for (const app of [...tallies.keys()]) settle(app);
      const rows: { appId: string; metrics: MinuteMetrics }[] = [];
      for (const [app, minutes] of open) {
        const appId = options.store.apps.get(app)?.id;
        for (const m of minutes) if (appId !== undefined && dirty.has(m)) rows.push({ appId, metrics: m });
      }
      options.store.metrics.saveMinutes(rows);
      dirty.clear();
      const current = minuteOf(now());
      for (const [app, minutes] of open) {
        const kept = minutes.filter((m) => m.minute >= current);
        if (kept.length === 0 || options.store.apps.get(app) === undefined) open.delete(app);
        else open.set(app, kept);
      }
      options.store.metrics.prune(current - METRICS_RETENTION_MS);
    },
    series(app, sinceMs, untilMs, stepMs) {
      settle(app);
      const appId = options.store.apps.require(app).id;
      const stored = options.store.metrics.minutes(appId, minuteOf(sinceMs));
      const live = open.get(app) ?? [];
      const minutes = [...stored.filter((m) => !live.some((l) => l.minute === m.minute)), ...live];
      return metricsSeries(minutes, sinceMs, untilMs, stepMs);
    },
    start() {
      const every = (ms: number, task: () => unknown): void => {
        const timer = setInterval(() => {
          try {
            void Promise.resolve(task()).catch((error: unknown) => options.logger.warn({ err: error }, 'metrics task failed'));
          } catch (error) {
            options.logger.warn({ err: error }, 'metrics task failed');
          }
        }, ms);
        timer.unref();
        timers.push(timer);
      };
      every(sampleMs, () => recorder.sample());
      every(flushMs, () => recorder.flush());
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      await sampling;
      recorder.flush();
    },
  };
  return recorder;
}
