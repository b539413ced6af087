import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { renameSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { AppUser } from '@paas/core';

import type { DriverLogger } from '../shared/driver-logger.js';
import type { AppDirs } from './local-app-dir.js';
import { giveAppDir } from './local-contain.js';
import { signalGroup } from './process-identity.js';

/**
 * App dirs mounted ahead of time, so that a web process's start does not wait for its
 * overlay mount.
 *
 * Making an app dir (mkdirs, spawning `mount`, handing the upper layer to the app user)
 * took 7–11 ms of a rollout's start on a busy paasd, 30 ms for three at once: each step
 * waits its turn behind the router's work on the event loop. A `config:set`, a rollback
 * to the same code, a restart or a crash restart starts the very slug (and runtime layer)
 * a live web process already runs, so after such a process starts or stops, once things
 * are quiet again (500 ms), one spare per live web process (at most MAX_PER_KEY) is made for its
 * app and slug. A start then takes a spare by renaming its dir to the process's dir: the
 * overlay mount moves with its parent. An empty upper layer is all a spare holds, so one
 * that is never used costs a mount and three empty dirs.
 *
 * In the sandbox a spare also holds the process itself, started as far as it can be
 * without its config: bwrap, setpriv and the shell that will source the profile, waiting
 * on its stdin (WAITING_PROFILE_WRAPPER). The start writes the environment and command
 * there; the fork from paasd, the exec chain and the sandbox's namespaces and mounts
 * (15–25 ms of a rollout) are then behind it. Inside its sandbox such a process sees its
 * app dir under the spare's name, which is also its HOME.
 *
 * A spare is only handed out while its lower dirs are the very dirs it was mounted over
 * (same inode): an unpacked slug the disk collector removed and a later start unpacked
 * again is a new dir, and the old spare is dropped instead.
 */
export interface SpareKey {
  readonly app: string;
  readonly slugDir: string;
  readonly layerDir: string | undefined;
  readonly user: AppUser | undefined;
}

/** Spares wanted per key, at most this many: a rollout of a larger formation mounts the rest itself. */
export const MAX_SPARES_PER_KEY = 3;
/** Spares are made this long after the last start or stop, so that they never compete with a boot. */
export const SPARE_DELAY_MS = 500;
/** Dirs of spares start with this (a dot: the driver's listing skips them; paasd's start sweeps leftovers). */
export const SPARE_PREFIX = '.spare-';

export function spareKeyOf(key: SpareKey): string {
  return [key.app, key.slugDir, key.layerDir ?? '', key.user === undefined ? '' : `${String(key.user.uid)}:${String(key.user.gid)}`].join('\0');
}

export interface Spare {
  readonly key: string;
  readonly dir: string;
  /** `dev:ino` of the lower dirs when it was mounted. */
  readonly lowers: string;
  /** The process waiting in its sandbox for what to run, if one was started. */
  readonly waiting?: ChildProcess | undefined;
}

/** A spare handed to a start. */
export interface TakenSpare {
  /** The app dir, at the process dir's path. */
  readonly appDir: string;
  /** The app dir's path as the waiting process sees it (its HOME). */
  readonly waitingAppDir: string;
  /** Still waiting, alive: give it its environment and command. Undefined: spawn as usual. */
  readonly waiting: ChildProcess | undefined;
}

/**
 * What to make and what to drop, given the spares wanted per key and the ones there are
 * (with the `dev:ino` of each key's lower dirs now; undefined: they are gone).
 */
export function planSpares(
  wanted: ReadonlyMap<string, number>,
  have: readonly Spare[],
  lowersNow: (key: string) => string | undefined,
): { make: string[]; drop: Spare[] } {
  const drop: Spare[] = [];
  const kept = new Map<string, number>();
  for (const spare of have) {
    const count = kept.get(spare.key) ?? 0;
    if (count >= Math.min(MAX_SPARES_PER_KEY, wanted.get(spare.key) ?? 0) || lowersNow(spare.key) !== spare.lowers) drop.push(spare);
    else kept.set(spare.key, count + 1);
  }
  const make: string[] = [];
  for (const [key, count] of wanted) {
    if (lowersNow(key) === undefined) continue;
    for (let i = kept.get(key) ?? 0; i < Math.min(MAX_SPARES_PER_KEY, count); i += 1) make.push(key);
  }
  return { make, drop };
}

export interface SpareAppDirs {
  /**
   * Moves a spare for `key` to `processDir` (which must not exist) and returns its app dir,
   * or undefined when there is none. Synchronous on purpose: a rename and two stats cost
   * microseconds, a turn of a busy event loop costs more.
   */
  take(key: SpareKey, processDir: string): TakenSpare | undefined;
  /** Brings the spares to `wanted` (spares per key): makes the missing, drops the rest. */
  reconcile(wanted: ReadonlyMap<string, SpareKey & { count: number }>): Promise<void>;
  /** Drops every spare (the driver is closing: a data dir must be removable after it). */
  releaseAll(): Promise<void>;
}

function lowersOf(key: Pick<SpareKey, 'slugDir' | 'layerDir'>): string | undefined {
  try {
    return [key.slugDir, key.layerDir]
      .filter((dir): dir is string => dir !== undefined)
      .map((dir) => {
        const info = statSync(dir);
        return `${String(info.dev)}:${String(info.ino)}`;
      })
      .join(' ');
  } catch {
    return undefined; // a lower dir is gone: no spare over it is of use
  }
}

/** How long a spare process may take to make its sandbox before the spare is given up. */
const SANDBOX_READY_TIMEOUT_MS = 10_000;

/** Resolves true once the waiting process has said on fd 3 that its sandbox is made; false if it ended or took too long. */
function sandboxMade(waiting: ChildProcess): Promise<boolean> {
  const said = waiting.stdio[3];
  if (!said) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      waiting.removeListener('exit', ended);
      // Nothing more comes on it (the shell closes it after its byte): no open handle is left.
      said.destroy();
      resolve(ready);
    };
    const ended = (): void => done(false);
    const timer = setTimeout(ended, SANDBOX_READY_TIMEOUT_MS);
    said.once('data', () => done(true));
    said.on('error', () => undefined); // an end before the byte: the exit says so
    waiting.once('exit', ended);
  });
}

const isAlive = (child: ChildProcess | undefined): child is ChildProcess => child !== undefined && child.exitCode === null && child.signalCode === null && child.pid !== undefined;

export function createSpareAppDirs(options: {
  processesDir: string;
  appDirs: AppDirs;
  logger: DriverLogger;
  /** Starts the waiting process of a spare (the sandbox only); undefined: app dirs alone. */
  startWaiting?: ((spareDir: string, appDir: string, key: SpareKey) => ChildProcess) | undefined;
}): SpareAppDirs {
  const { processesDir, appDirs, logger } = options;
  let spares: Spare[] = [];
  /** Reconciliations run one after another, never beside each other. */
  let queue: Promise<void> = Promise.resolve();

  const release = async (spare: Spare): Promise<void> => {
    const pid = spare.waiting?.pid;
    if (isAlive(spare.waiting) && pid !== undefined) signalGroup(pid, 'SIGKILL');
    await appDirs.release(spare.dir);
    await rm(spare.dir, { recursive: true, force: true });
  };

  const make = async (key: SpareKey): Promise<Spare | undefined> => {
    const lowers = lowersOf(key);
    if (lowers === undefined) return undefined;
    const dir = join(processesDir, `${SPARE_PREFIX}${randomBytes(4).toString('hex')}`);
    let started: ChildProcess | undefined;
    await mkdir(dir);
    try {
      const appDir = await appDirs.create(key.slugDir, dir, key.layerDir);
      // A copy is no cheaper to make ahead than at the start, and costs a whole slug of disk.
      if (!appDirs.mounts()) throw new Error('overlay mounts are unavailable');
      await giveAppDir(dir, appDir, key.user);
      const waiting = options.startWaiting?.(dir, appDir, key);
      started = waiting;
      if (waiting) {
        waiting.on('error', (error) => logger.warn({ err: error, dir }, 'spare process could not start'));
        waiting.stdin?.on('error', () => undefined); // it died first: take() sees that and spawns anew
        // Handed out only once its sandbox is made: until then bwrap has yet to bind the app
        // dir by the path a start renames away.
        if (!(await sandboxMade(waiting))) throw new Error('the spare process did not get ready');
        waiting.unref();
        (waiting.stdin as { unref?: () => void } | null)?.unref?.();
      }
      return { key: spareKeyOf(key), dir, lowers, waiting };
    } catch (error) {
      await release({ key: spareKeyOf(key), dir, lowers, waiting: started }).catch(() => undefined); // what is left goes with the data dir's sweep
      if (appDirs.mounts()) logger.warn({ err: error }, 'spare app dir not made');
      return undefined;
    }
  };

  const reconcile = (wanted: ReadonlyMap<string, SpareKey & { count: number }>): Promise<void> => {
    const run = queue.then(async () => {
      const counts = new Map([...wanted].map(([key, entry]) => [key, entry.count]));
      const lowersNow = new Map<string, string | undefined>();
      const lookUp = (key: string): string | undefined => {
        if (!lowersNow.has(key)) {
          const entry = wanted.get(key);
          lowersNow.set(key, entry ? lowersOf(entry) : undefined);
        }
        return lowersNow.get(key);
      };
      const plan = planSpares(counts, spares, lookUp);
      spares = spares.filter((s) => !plan.drop.includes(s));
      for (const spare of plan.drop) await release(spare);
      for (const key of plan.make) {
        const entry = wanted.get(key);
        if (!entry || !appDirs.mounts()) continue;
        const spare = await make(entry);
        if (spare) spares.push(spare);
      }
    });
    queue = run.catch((error: unknown) => logger.warn({ err: error }, 'spare app dirs not reconciled'));
    return queue;
  };

  return {
    take(key, processDir) {
      const wantedKey = spareKeyOf(key);
      const index = spares.findIndex((s) => s.key === wantedKey);
      const spare = spares[index];
      if (!spare) return undefined;
      spares.splice(index, 1);
      if (lowersOf(key) !== spare.lowers) {
        void release(spare).catch((error: unknown) => logger.warn({ err: error }, 'stale spare app dir not removed'));
        return undefined;
      }
      renameSync(spare.dir, processDir);
      const waiting = isAlive(spare.waiting) ? spare.waiting : undefined;
      return { appDir: join(processDir, 'app'), waitingAppDir: join(spare.dir, 'app'), waiting };
    },

    reconcile,

    releaseAll() {
      return reconcile(new Map());
    },
  };
}
