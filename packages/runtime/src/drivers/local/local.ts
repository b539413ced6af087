import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type AppUser, type Sandbox, invalidParams } from '@paas/core';

import type { OneOffIo, ProcessInfo, ProcessSpec, RuntimeDriver, SlugRef, StopResult } from '../../driver.js';
import { type DriverLogger, silentLogger } from '../shared/driver-logger.js';
import { groupUsage, listWrites } from './process-usage.js';
import { createEventHub } from '../shared/event-hub.js';
import { type FileTail, tailFile } from './file-tail.js';
import { createAppDirs } from './local-app-dir.js';
import { pickFreePort } from './local-host.js';
import { attachOneOff } from './local-oneoff.js';
import { type ProcessRecord, type TailOffsets, readOffsets, readRecord, toProcessInfo, writeOffsets, writeRecord } from './local-record.js';
import { type LineSplitter, createLineSplitter } from '../shared/line-splitter.js';
import { groupHasLiveMembers, identifyChild, isRunning, signalGroup } from './process-identity.js';
import { checkOneOffSpec, checkProcessSpec, processName } from '../shared/process-spec.js';
import { giveAppDir, spawnApp, spawnWaiting } from './local-contain.js';
import { waitingInput } from '../shared/profile-wrapper.js';
import { seedUnpackedSlug, unpackSlug } from './slug-unpack.js';
import { SPARE_DELAY_MS, type SpareKey, createSpareAppDirs, spareKeyOf } from './spare-app-dirs.js';

export interface LocalDriverOptions {
  /** Holds `slugs-unpacked/`, `processes/` and `oneoffs/`. */
  readonly dataDir: string;
  readonly logger?: DriverLogger;
  /** `PATH` of every process unless a config var sets one. */
  readonly path?: string;
  /** How often adopted processes (not our children, so no exit event) are checked. */
  readonly livenessPollMs?: number;
  /**
   * The user an app's processes run as (see app-users in paasd); undefined: paasd's own.
   * Needs root. Each process's app dir is then that user's, and nothing else here is.
   */
  readonly userOf?: (app: string) => AppUser | undefined;
  /** Runs every process in a bubblewrap sandbox (needs root): see containedCommand. */
  readonly sandbox?: Sandbox;
}

export const DEFAULT_LOCAL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const HOST = '127.0.0.1';
const STREAMS = ['stdout', 'stderr'] as const;
/** Output files are emptied once read past this size (see file-tail.ts). */
const LOG_TRUNCATE_BYTES = 16 * 1024 * 1024;
const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

interface Tracked {
  record: ProcessRecord;
  readonly dir: string;
  /** Our own child: its exit comes as an event. Otherwise adopted, and polled. */
  readonly child: ChildProcess | undefined;
  readonly tails: FileTail[];
  readonly splitters: LineSplitter[];
  poll?: NodeJS.Timeout;
  /** Set the moment the process is known to have ended; settles once its exit is reported. */
  ended?: Promise<void>;
  /** Serialises writes of process.json. */
  saving: Promise<void>;
}

/**
 * Runs processes as children of this host, one process group each, each in its own
 * writable app dir over the shared unpacked slug (see local-app-dir.ts). Output goes to files, not pipes, so processes outlive
 * paasd and a restarted paasd (a new driver on the same dataDir) adopts them in list().
 *
 * The local driver does not enforce memory limits (`memoryMb` is ignored): there is no
 * portable unprivileged way, and a fake limit would be worse than none. Use the docker
 * driver where limits matter.
 */
export function createLocalDriver(options: LocalDriverOptions): RuntimeDriver {
  const logger = options.logger ?? silentLogger;
  const hub = createEventHub(logger);
  const slugsDir = join(options.dataDir, 'slugs-unpacked');
  /** Runtime layers, unpacked once each and shared (read-only: overlay lower dirs, owned by paasd). */
  const layersDir = join(options.dataDir, 'layers-unpacked');
  /** The slug's unpacked dir and its runtime layer's, unpacked now if they are not yet. */
  const unpacked = async (slug: SlugRef): Promise<{ slugDir: string; layerDir?: string }> => {
    const [slugDir, layerDir] = await Promise.all([unpackSlug(slug, slugsDir), slug.runtimeLayer ? unpackSlug(slug.runtimeLayer, layersDir) : undefined]);
    return layerDir === undefined ? { slugDir } : { slugDir, layerDir };
  };
  const processesDir = join(options.dataDir, 'processes');
  const oneoffsDir = join(options.dataDir, 'oneoffs');
  const pollMs = options.livenessPollMs ?? 500;
  const tracked = new Map<string, Tracked>();
  const appDirs = createAppDirs(logger);
  const sandbox = options.sandbox;
  const spares = createSpareAppDirs({
    processesDir,
    appDirs,
    logger,
    startWaiting: sandbox
      ? (spareDir, appDir, key) => {
          const [stdout, stderr] = STREAMS.map((stream) => openSync(join(spareDir, `${stream}.log`), 'a', 0o600));
          try {
            return spawnWaiting(appDir, { PATH: options.path ?? DEFAULT_LOCAL_PATH, HOME: appDir }, [stdout ?? -1, stderr ?? -1], { user: key.user, sandbox });
          } finally {
            if (stdout !== undefined) closeSync(stdout);
            if (stderr !== undefined) closeSync(stderr);
          }
        }
      : undefined,
  });
  /** The spare key of each live web process this driver started (adopted ones have none). */
  const spareKeys = new Map<string, SpareKey>();
  let spareTimer: NodeJS.Timeout | undefined;
  /** Once starts and stops have been quiet for a moment, makes one spare app dir per live web process. */
  const scheduleSpares = (): void => {
    clearTimeout(spareTimer);
    spareTimer = setTimeout(() => {
      if (closed) return;
      const wanted = new Map<string, SpareKey & { count: number }>();
      for (const key of spareKeys.values()) {
        const name = spareKeyOf(key);
        wanted.set(name, { ...key, count: (wanted.get(name)?.count ?? 0) + 1 });
      }
      void spares.reconcile(wanted);
    }, SPARE_DELAY_MS);
    spareTimer.unref();
  };
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('the local driver is closed');
  };
  const containment = (app: string) => ({ user: options.userOf?.(app), sandbox: options.sandbox });
  let laidOut: Promise<void> | undefined;
  /**
   * Process dirs can be passed through (0711, not listed) for an app user to reach its app
   * dir by path; the unpacked slugs cannot: a process sees its slug only as its app dir.
   */
  const layOut = (): Promise<void> =>
    (laidOut ??= (async () => {
      for (const dir of [slugsDir, layersDir]) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await chmod(dir, 0o700);
      }
      for (const dir of [processesDir, oneoffsDir]) {
        await mkdir(dir, { recursive: true, mode: 0o711 });
        await chmod(dir, 0o711);
      }
    })());
  const environment = (env: Readonly<Record<string, string>>, home: string, port: number): NodeJS.ProcessEnv => ({
    PATH: options.path ?? DEFAULT_LOCAL_PATH,
    ...env,
    HOME: home,
    PORT: String(port),
  });
  const usedPorts = (): Set<number> => new Set([...tracked.values()].map((entry) => entry.record.port));

  const save = (entry: Tracked): Promise<void> => {
    entry.saving = entry.saving
      .then(() => writeRecord(entry.dir, entry.record))
      .catch((error: unknown) => logger.debug({ err: error, id: entry.record.id }, 'process record not written'));
    return entry.saving;
  };

  /** Reports an exit once: reads the last output, kills what the process left behind, records it. */
  const finish = (entry: Tracked, code: number | null, signal: string | null): Promise<void> => {
    if (entry.ended) return entry.ended;
    entry.record = { ...entry.record, exit: { code, signal } };
    clearInterval(entry.poll);
    if (spareKeys.delete(entry.record.id)) scheduleSpares();
    // As when a container's main process ends: whatever it started goes with it. The
    // group id cannot have been handed to someone else while any member is alive (the
    // kernel does not reuse a pid in use as a group id), and when none is, this is a no-op
    // unless a brand-new group leader got that very pid in the last instant.
    signalGroup(entry.record.process.pid, 'SIGKILL');
    entry.ended = (async () => {
      // Its app dir is of no use to anyone now; its files stay in the process dir until stop().
      await appDirs.release(entry.dir).catch((error: unknown) => logger.warn({ err: error, id: entry.record.id }, 'app dir not unmounted'));
      await Promise.all(entry.tails.map((tail) => tail.stop()));
      for (const splitter of entry.splitters) splitter.flush();
      await save(entry);
      const { id, name, app } = entry.record;
      logger.info({ id, name, app, code, signal }, 'process exited');
      hub.emit({ type: 'exit', id, name, app, code, signal, oom: false });
    })().catch((error: unknown) => logger.error({ err: error, id: entry.record.id }, 'process exit not reported'));
    return entry.ended;
  };

  const track = (record: ProcessRecord, dir: string, child: ChildProcess | undefined, offsets: TailOffsets): Tracked => {
    const { id, name, app } = record;
    const splitters = STREAMS.map((stream) => createLineSplitter((line) => hub.emit({ type: 'output', id, name, app, stream, line })));
    const tails = STREAMS.map((stream, i) =>
      tailFile(join(dir, `${stream}.log`), {
        offset: offsets[stream],
        truncateAfterBytes: LOG_TRUNCATE_BYTES,
        onData: (chunk) => splitters[i]?.push(chunk),
        onError: (error) => logger.warn({ err: error, id, stream }, 'process output unreadable'),
      }),
    );
    const entry: Tracked = { record, dir, child, tails, splitters, saving: Promise.resolve() };
    tracked.set(id, entry);
    if (child) {
      child.on('exit', (code, signal) => void finish(entry, code, signal));
    } else {
      entry.poll = setInterval(() => {
        isRunning(record.process)
          .then((running) => (running ? undefined : finish(entry, null, null)))
          .catch((error: unknown) => logger.warn({ err: error, id }, 'process liveness unknown'));
      }, pollMs);
      entry.poll.unref();
    }
    return entry;
  };

  /** Takes over a process another driver instance started: poll it, read its files from where that one stopped. */
  const adopt = async (record: ProcessRecord, dir: string): Promise<Tracked> => {
    const saved = await readOffsets(dir);
    await rm(join(dir, 'tail.json'), { force: true });
    const sizeOf = async (stream: string): Promise<number> => (await stat(join(dir, `${stream}.log`)).catch(() => undefined))?.size ?? 0;
    const offsets = saved ?? { stdout: await sizeOf('stdout'), stderr: await sizeOf('stderr') };
    const existing = tracked.get(record.id);
    if (existing) return existing; // adopted meanwhile by a concurrent call
    logger.info({ id: record.id, pid: record.process.pid }, 'process adopted');
    return track(record, dir, undefined, offsets);
  };

  const spawnProcess = (spec: ProcessSpec, dir: string, appDir: string, port: number): ChildProcess => {
    // Written by the process through the descriptor, read by paasd only.
    const stdout = openSync(join(dir, 'stdout.log'), 'a', 0o600);
    const stderr = openSync(join(dir, 'stderr.log'), 'a', 0o600);
    try {
      // A process group of its own, so signals reach everything it starts, and it
      // survives paasd (its output goes to the files, not to us).
      const child = spawnApp(spec.command, appDir, environment(spec.env, appDir, port), ['ignore', stdout, stderr], containment(spec.app));
      child.on('error', (error) => logger.error({ err: error, dir }, 'process could not start'));
      child.unref();
      return child;
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
  };

  /** Waits for the process to end; false when `ms` passed first. */
  const waitForEnd = async (entry: Tracked, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (entry.ended) return true;
      if (!entry.child && !(await isRunning(entry.record.process))) {
        void finish(entry, null, null);
        return true;
      }
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
    }
  };

  const lookUp = async (id: string): Promise<Tracked | ProcessRecord | undefined> => {
    const entry = tracked.get(id);
    if (entry) return entry;
    const dir = join(processesDir, id);
    const record = await readRecord(dir);
    if (!record) return undefined;
    if (!record.exit && (await isRunning(record.process))) return adopt(record, dir);
    return record;
  };

  return {
    name: 'local',

    async prepare(slug) {
      assertOpen();
      await unpacked(slug);
    },

    async seedUnpacked(checksum, dir) {
      assertOpen();
      return seedUnpackedSlug(checksum, dir, slugsDir);
    },

    async seedUnpackedLayer(checksum, dir) {
      assertOpen();
      // The layers dir keeps its 0700 (made here when this is its first layer).
      await layOut();
      return seedUnpackedSlug(checksum, dir, layersDir);
    },

    async start(spec) {
      assertOpen();
      checkProcessSpec(spec);
      const began = performance.now();
      const { slugDir, layerDir } = await unpacked(spec.slug);
      const unpackedAt = performance.now();
      const name = processName(spec);
      const id = `${spec.app}-${name}-r${String(spec.release)}-${randomBytes(4).toString('hex')}`;
      const dir = join(processesDir, id);
      await layOut();
      const spareKey: SpareKey = { app: spec.app, slugDir, layerDir, user: containment(spec.app).user };
      const spare = spares.take(spareKey, dir);
      if (spare === undefined) await mkdir(dir, { recursive: true });
      let child: ChildProcess | undefined;
      try {
        const appDir = spare?.appDir ?? (await appDirs.create(slugDir, dir, layerDir));
        if (spare === undefined) await giveAppDir(dir, appDir, spareKey.user);
        const madeAppDir = performance.now();
        const port = await pickFreePort(HOST, usedPorts());
        const pickedPort = performance.now();
        if (spare?.waiting) {
          // Started already, in its sandbox: it runs once it has read its environment and command.
          child = spare.waiting;
          child.stdin?.end(waitingInput(environment(spec.env, spare.waitingAppDir, port), spec.command));
        } else {
          child = spawnProcess(spec, dir, appDir, port);
        }
        const spawned = performance.now();
        if (child.pid === undefined) throw new Error(`could not start bash for ${name}`);
        const record: ProcessRecord = {
          id,
          app: spec.app,
          release: spec.release,
          type: spec.type,
          index: spec.index,
          name,
          host: HOST,
          port,
          startedAt: new Date().toISOString(),
          process: identifyChild(child.pid),
        };
        const entry = track(record, dir, child, { stdout: 0, stderr: 0 });
        if (spec.type === 'web') {
          spareKeys.set(id, spareKey);
          scheduleSpares();
        }
        await save(entry);
        const ms = (from: number, to: number): number => Math.round(to - from);
        const timings = {
          unpackMs: ms(began, unpackedAt),
          appDirMs: ms(unpackedAt, madeAppDir),
          portMs: ms(madeAppDir, pickedPort),
          spawnMs: ms(pickedPort, spawned),
          totalMs: ms(began, performance.now()),
          spareAppDir: spare !== undefined,
          spareProcess: spare?.waiting !== undefined,
        };
        logger.info({ id, name, app: spec.app, pid: child.pid, port, ...timings }, 'process started');
        return toProcessInfo(record, true);
      } catch (error) {
        if (child?.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        tracked.delete(id);
        spareKeys.delete(id);
        await appDirs.release(dir);
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    },

    async stop(id, { graceMs }): Promise<StopResult> {
      if (!ID_PATTERN.test(id)) throw invalidParams(`Invalid process id ${JSON.stringify(id)}.`);
      const dir = join(processesDir, id);
      const found = await lookUp(id);
      let killed = false;
      if (found && 'dir' in found) {
        const pgid = found.record.process.pid;
        if (!found.ended) {
          signalGroup(pgid, 'SIGTERM');
          if (!(await waitForEnd(found, graceMs))) {
            killed = true;
            signalGroup(pgid, 'SIGKILL');
            await waitForEnd(found, 10_000);
          }
        }
        // A process stuck in the kernel (D state) may outlast even SIGKILL for a while: stop watching it anyway.
        await (found.ended ?? finish(found, null, 'SIGKILL'));
        for (let i = 0; i < 100 && (await groupHasLiveMembers(pgid)); i += 1) await sleep(20);
        tracked.delete(id);
      }
      await appDirs.release(dir);
      await rm(dir, { recursive: true, force: true });
      logger.info({ id, killed }, 'process stopped');
      return { killed };
    },

    async list(): Promise<ProcessInfo[]> {
      assertOpen();
      const ids = await readdir(processesDir).catch(() => [] as string[]);
      const infos: ProcessInfo[] = [];
      for (const id of ids.filter((name) => ID_PATTERN.test(name)).sort()) {
        const found = await lookUp(id);
        if (!found) continue; // a start still writing its record, or a stop removing it
        if ('dir' in found) infos.push(toProcessInfo(found.record, found.ended === undefined));
        else infos.push(toProcessInfo(found, false));
      }
      return infos;
    },

    async run(spec, io: OneOffIo) {
      assertOpen();
      checkOneOffSpec(spec);
      if (io.signal?.aborted) return { exitCode: null };
      const { slugDir, layerDir } = await unpacked(spec.slug);
      const dir = join(oneoffsDir, `${spec.app}-${spec.name}-${randomBytes(4).toString('hex')}`);
      await layOut();
      await mkdir(dir, { recursive: true });
      try {
        const appDir = await appDirs.create(slugDir, dir, layerDir);
        await giveAppDir(dir, appDir, containment(spec.app).user);
        const port = await pickFreePort(HOST, usedPorts());
        const stdio = [io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] as const;
        const child = spawnApp(spec.command, appDir, environment(spec.env, appDir, port), [...stdio], containment(spec.app));
        return await attachOneOff(child, io);
      } finally {
        await appDirs.release(dir);
        await rm(dir, { recursive: true, force: true });
      }
    },

    async usage(id) {
      assertOpen();
      const entry = tracked.get(id);
      if (!entry || entry.ended) return undefined;
      const used = await groupUsage(entry.record.process.pid);
      if (!used) return undefined;
      // With an overlay, the upper layer is exactly what the process wrote; a copy cannot tell.
      const upper = join(entry.dir, 'upper');
      const writes = (await stat(upper).catch(() => undefined))?.isDirectory() ? await listWrites(upper) : undefined;
      return { ...used, ...(writes === undefined ? {} : { writes }) };
    },

    subscribe: hub.subscribe,

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(spareTimer);
      // Spares are this instance's alone (a data dir must be removable once its driver is closed).
      await spares.releaseAll();
      await Promise.all(
        [...tracked.values()].map(async (entry) => {
          clearInterval(entry.poll);
          entry.child?.removeAllListeners('exit');
          await Promise.all(entry.tails.map((tail) => tail.stop()));
          if (entry.ended) return;
          // The next driver instance reads on from here; bytes of an unfinished line are read again.
          const [stdout, stderr] = STREAMS.map((_, i) => Math.max(0, (entry.tails[i]?.offset ?? 0) - (entry.splitters[i]?.pending ?? 0)));
          await writeOffsets(entry.dir, { stdout: stdout ?? 0, stderr: stderr ?? 0 }).catch((error: unknown) =>
            logger.warn({ err: error, id: entry.record.id }, 'output offsets not saved'),
          );
        }),
      );
      tracked.clear();
    },
  };
}
