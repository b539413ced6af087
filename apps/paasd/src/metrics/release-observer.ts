import { emptyObservations, type ReleaseObservations, type SlugScan } from '@paas/core';
import type { ProcessEvent, ProcessInfo } from '@paas/runtime';
import type { Store } from '@paas/store';

import type { Logger } from '../logger.js';

/** What is recorded of a release while it runs; the rest of its observations are read from the store. */
interface RunObservations {
  boots: number[];
  bootTimeouts: number;
  stops: { name: string; stopMs: number; killed: boolean }[];
  writesSampled: boolean;
  writes: string[];
  oneOffs?: number;
  slugScan?: SlugScan;
}

/** Kept per release, so a release's record stays small however long it runs. */
const MOST_KEPT = 20;
const MOST_WRITES = 200;

export interface ReleaseObserverOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly bootTimeoutMs: number;
  readonly graceMs: number;
  /** The stack processes run on. */
  readonly runStack: string;
  /** Scans a slug's files (undefined when they cannot be read here). */
  readonly scanSlug: (checksum: string) => Promise<SlugScan | undefined>;
}

export interface ReleaseObserver {
  processEvent(event: ProcessEvent): void;
  writes(process: ProcessInfo, writes: readonly string[]): void;
  /** Everything known of release `version` of `app`, for `scoreRelease`. */
  observations(app: string, version: number): Promise<ReleaseObservations>;
}

export function createReleaseObserver(options: ReleaseObserverOptions): ReleaseObserver {
  const { store } = options;
  const read = (appId: string, version: number): RunObservations =>
    (store.metrics.observations(appId, version) as RunObservations | undefined) ?? { boots: [], bootTimeouts: 0, stops: [], writesSampled: false, writes: [] };
  const change = (app: string, version: number, fn: (o: RunObservations) => RunObservations | undefined): void => {
    const appId = store.apps.get(app)?.id;
    if (appId === undefined) return;
    const next = fn(read(appId, version));
    if (next) store.metrics.saveObservations(appId, version, next);
  };

  return {
    processEvent(event) {
      try {
        if (event.kind === 'up') change(event.app, event.release, (o) => ({ ...o, boots: [...o.boots, event.bootMs].slice(-MOST_KEPT) }));
        if (event.kind === 'one-off') change(event.app, event.release, (o) => ({ ...o, oneOffs: (o.oneOffs ?? 0) + 1 }));
        if (event.kind === 'boot-timeout') change(event.app, event.release, (o) => ({ ...o, bootTimeouts: o.bootTimeouts + 1 }));
        if (event.kind === 'stopped') {
          const stop = { name: event.name, stopMs: event.stopMs, killed: event.killed };
          change(event.app, event.release, (o) => ({ ...o, stops: [...o.stops, stop].slice(-MOST_KEPT) }));
        }
      } catch (error) {
        options.logger.warn({ err: error, app: event.app }, 'release observation not recorded');
      }
    },
    writes(process, writes) {
      change(process.app, process.release, (o) => {
        const merged = [...new Set([...o.writes, ...writes])].sort().slice(0, MOST_WRITES);
        if (o.writesSampled && merged.length === o.writes.length) return undefined; // nothing new
        return { ...o, writesSampled: true, writes: merged };
      });
    },
    async observations(app, version) {
      const record = store.apps.require(app);
      const release = store.deploys.findRelease(app, String(version));
      const slug = release.slugId === null ? undefined : store.slugs.get(release.slugId);
      const run = read(record.id, version);
      let slugScan = run.slugScan;
      if (slug && !slugScan) {
        slugScan = await options.scanSlug(slug.checksum);
        // A slug never changes, so its scan is kept with the release.
        if (slugScan) store.metrics.saveObservations(record.id, version, { ...read(record.id, version), slugScan });
      }
      const processTypes = Object.keys(slug?.processTypes ?? {});
      return {
        ...emptyObservations(version),
        ...(slug ? { slug: { checksum: slug.checksum, sizeBytes: slug.size, stack: slug.stack } } : {}),
        ...(slugScan ? { slugScan } : {}),
        runStack: options.runStack,
        configKeys: Object.keys(store.deploys.configOf(record, release.configVersion)).sort(),
        attachments: store.addons.attachments({ appName: app }).map((a) => a.name),
        processTypes: processTypes.filter((type) => type !== 'release'),
        formation: store.deploys.formationFor(app, processTypes).filter((f) => f.type !== 'release').map((f) => ({ type: f.type, quantity: f.quantity })),
        releasePhase: processTypes.includes('release'),
        boots: run.boots,
        bootTimeouts: run.bootTimeouts,
        bootTimeoutMs: options.bootTimeoutMs,
        stops: run.stops,
        graceMs: options.graceMs,
        writesSampled: run.writesSampled,
        writes: run.writes,
        oneOffs: run.oneOffs ?? 0,
      };
    },
  };
}
