import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import { invalidParams } from '@paas/core';

import type { OneOffIo, OneOffSpec, ProcessInfo, ProcessSpec, RuntimeDriver, SlugRef, StopResult } from '../../driver.js';
import { type ContainerEvent, watchContainerEvents } from './docker-events.js';
import { ensureSlugImage } from './docker-image.js';
import { CONTAINER_PORT, INSTANCE_LABEL, MANAGED_LABEL, containerHostConfig, environment } from './docker-container-config.js';
import { runOneOffContainer } from './docker-oneoff.js';
import { type OneOffsInFlight, sweepOneOffs } from './docker-oneoff-sweep.js';
import { createUsageReader } from './docker-usage.js';
import { type TrackedContainer as Tracked, attachContainerOutput } from './docker-logs.js';
import { type DriverLogger, silentLogger } from '../shared/driver-logger.js';
import { createEventHub } from '../shared/event-hub.js';
import { checkOneOffSpec, checkProcessSpec, processName } from '../shared/process-spec.js';
import { profileWrapperArgs } from '../shared/profile-wrapper.js';

export interface DockerDriverOptions {
  readonly docker: Docker;
  /** The image slugs are laid on (`FROM`); it has the user `app`, bash and the usual tools. */
  readonly stackImage: string;
  /** Network the containers join; default Docker's `bridge`. */
  readonly network?: string;
  readonly logger?: DriverLogger;
  /** Most processes (threads included) one container may have. */
  readonly pidsLimit?: number;
  /**
   * The installation the containers belong to (default `default`). A driver lists, adopts,
   * watches and stops only containers labelled with its own, so several paasd sharing one
   * engine (tests and benchmarks beside each other, staging beside production) never take
   * each other's containers for leftovers. Must stay the same across restarts of one paasd
   * (paasd derives it from its data dir), or running processes are not adopted.
   */
  readonly instance?: string;
  /**
   * The one-offs in flight on this engine, shared with a driver that runs one-offs on the same
   * engine (the Swarm driver on its manager), so neither sweeps the other's as leftovers.
   */
  readonly oneOffsInFlight?: OneOffsInFlight;
}

// Where they always were, for the packages that import them from here.
export { CONTAINER_PORT, INSTANCE_LABEL, MANAGED_LABEL, ONEOFF_LABEL } from './docker-container-config.js';
const DEFAULT_INSTANCE = 'default';


/** A timer for races that must not keep the process alive by itself. */
const timeout = (ms: number): Promise<void> => sleep(ms, undefined, { ref: false });

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/** `137` → `SIGKILL`: how the engine reports a process ended by a signal (128 + n). */
function signalOf(code: number | null): string | null {
  if (code === null || code <= 128) return null;
  return Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] ?? null;
}



function toProcessInfo(info: Docker.ContainerInspectInfo, network: string): ProcessInfo | undefined {
  const labels = info.Config.Labels;
  const app = labels['paas.app'];
  const type = labels['paas.type'];
  const index = Number(labels['paas.index']);
  const release = Number(labels['paas.release']);
  if (!app || !type || !Number.isSafeInteger(index) || !Number.isSafeInteger(release)) return undefined;
  const started = info.State.StartedAt;
  const base = {
    id: info.Id,
    app,
    release,
    type,
    index,
    name: `${type}.${String(index)}`,
    // A container started before the driver's network changed (an upgrade) is still reached on the one it is on.
    address: { host: info.NetworkSettings.Networks[network]?.IPAddress || (Object.values(info.NetworkSettings.Networks)[0]?.IPAddress ?? ''), port: CONTAINER_PORT },
    startedAt: started && !started.startsWith('0001-') ? new Date(started).toISOString() : new Date(info.Created).toISOString(),
  };
  if (info.State.Running) return { ...base, status: 'running' };
  // `created`: never started (the start failed), so no exit code to tell.
  return info.State.Status === 'exited' ? { ...base, status: 'exited', exitCode: info.State.ExitCode } : { ...base, status: 'exited' };
}

/**
 * One container per process, from one image per slug. Exits and OOM kills come from
 * the engine's event stream, output from each container's log stream; everything is
 * read back from container labels, so a new driver (a restarted paasd) adopts what runs.
 */
export function createDockerDriver(options: DockerDriverOptions): RuntimeDriver {
  const { docker } = options;
  const logger = options.logger ?? silentLogger;
  const network = options.network ?? 'bridge';
  const instance = options.instance ?? DEFAULT_INSTANCE;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(instance)) throw invalidParams(`Invalid docker driver instance ${JSON.stringify(instance)}.`);
  // Label filters are ANDed: managed processes of this installation only.
  const ownFilter = { label: [`${MANAGED_LABEL}=true`, `${INSTANCE_LABEL}=${instance}`] };
  const hub = createEventHub(logger);
  const tracked = new Map<string, Tracked>();
  /**
   * Containers stop() took down, by the number of stops when it began: a listing that read
   * one as running just before must not adopt it (and follow a removed container's logs).
   */
  const takenDown = new Map<string, number>();
  let stops = 0;
  const images = new Map<string, Promise<string>>();
  const inFlight = options.oneOffsInFlight ?? new Set<string>();
  // One-offs a paasd that died left behind are removed by the first listing (the start's).
  let swept = false;
  let closed = false;
  /** What each container's last inspection said, with the state it saw (see `inspection`). */
  const inspections = new Map<string, { readonly state: string; readonly info: ProcessInfo }>();
  const usageReader = createUsageReader();
  /** Containers created and being started by this driver: their start() reports them. */
  const starting = new Set<string>();

  const assertOpen = (): void => {
    if (closed) throw new Error('the docker driver is closed');
  };

  /**
   * A container's process info for a listing that saw it in `state`. Inspected only when
   * its state changed since the last inspection: an inspection waits on the container's
   * lock, which the engine holds through a start, a stop's cleanup or a removal (seconds,
   * under load), and convergence lists every container on every change of any app. One
   * this driver is starting is left out (the start returns it), and one it is taking down is
   * told from what was known of it: neither waits on the engine.
   */
  const inspection = async (id: string, state: string): Promise<ProcessInfo | undefined> => {
    if (starting.has(id)) return undefined;
    const known = inspections.get(id);
    if (known?.state === state) return known.info;
    if (known && takenDown.has(id)) return state === 'running' ? known.info : { ...known.info, status: 'exited' };
    const inspected = await docker
      .getContainer(id)
      .inspect()
      .catch((error: unknown) => {
        if (statusOf(error) === 404) return undefined; // removed between the list and now
        throw error;
      });
    const info = inspected && toProcessInfo(inspected, network);
    // Kept for the state the inspection itself saw: one that changed meanwhile is read again next time.
    if (inspected && info) inspections.set(id, { state: inspected.State.Status, info });
    return info;
  };

  const reportExit = async (id: string, entry: Tracked, code: number | null, oomSeen: boolean): Promise<void> => {
    if (!entry.report) return;
    const done = entry.report;
    entry.report = undefined;
    inspections.delete(id);
    // Output first, then the exit: the log stream ends when the container does. A `die`
    // can come before start() has even attached to the logs, hence the wait for that too.
    await Promise.race([entry.following.then(() => entry.logs?.done), timeout(3000)]);
    let oom = oomSeen || entry.oom;
    if (!oom && code === 137) {
      oom = (await docker.getContainer(id).inspect().catch(() => undefined))?.State.OOMKilled ?? false;
    }
    tracked.delete(id);
    logger.info({ id, name: entry.name, app: entry.app, code, oom }, 'process exited');
    hub.emit({ type: 'exit', id, name: entry.name, app: entry.app, code, signal: signalOf(code), oom });
    done();
  };

  const onEvent = (event: ContainerEvent): void => {
    // The engine sends `die` before its listing says so: the next listing inspects it again.
    if (event.action === 'die') {
      inspections.delete(event.id);
      usageReader.forget(event.id);
    }
    const entry = tracked.get(event.id);
    if (!entry) return;
    if (event.action === 'oom') entry.oom = true;
    if (event.action === 'die') {
      const code = Number(event.attributes.exitCode);
      void reportExit(event.id, entry, Number.isInteger(code) ? code : null, false);
    }
  };

  /** After the event stream was down: exits it did not tell us about. */
  const reconcile = (): void => {
    for (const [id, entry] of tracked) {
      void docker
        .getContainer(id)
        .inspect()
        .then(
          (info) => (info.State.Running ? undefined : reportExit(id, entry, info.State.ExitCode, info.State.OOMKilled)),
          (error: unknown) => (statusOf(error) === 404 ? reportExit(id, entry, null, false) : undefined),
        );
    }
  };

  const watch = watchContainerEvents(docker, {
    filters: { type: ['container'], event: ['die', 'oom'], ...ownFilter },
    onEvent,
    onReconnect: reconcile,
    logger,
  });

  const track = (id: string, app: string, name: string): Tracked => {
    let report: () => void = () => undefined;
    const reported = new Promise<void>((resolve) => (report = resolve));
    let followed: () => void = () => undefined;
    const following = new Promise<void>((resolve) => (followed = resolve));
    const entry: Tracked = { app, name, oom: false, reported, report, following, followed };
    tracked.set(id, entry);
    return entry;
  };

  const follow = async (id: string, entry: Tracked): Promise<void> => {
    const onLine = (stream: 'stdout' | 'stderr', line: string): void => hub.emit({ type: 'output', id, name: entry.name, app: entry.app, stream, line });
    entry.logs = await attachContainerOutput(docker, id, onLine).catch((error: unknown) => {
      logger.warn({ err: error, id }, 'container logs unavailable');
      return undefined;
    });
    entry.followed();
  };

  const prepare = (slug: SlugRef): Promise<string> => {
    let pending = images.get(slug.checksum);
    if (!pending) {
      pending = ensureSlugImage(docker, options.stackImage, slug, logger).finally(() => images.delete(slug.checksum));
      images.set(slug.checksum, pending);
    }
    return pending;
  };

  const hostConfig = (memoryMb: number): Docker.HostConfig => containerHostConfig(memoryMb, network, options.pidsLimit ?? 512);

  return {
    name: 'docker',

    async prepare(slug) {
      assertOpen();
      await prepare(slug);
    },

    async start(spec: ProcessSpec) {
      assertOpen();
      checkProcessSpec(spec);
      const image = await prepare(spec.slug);
      const name = processName(spec);
      // A die right after start must not be missed: the event stream has to be up first.
      await Promise.race([watch.ready, timeout(5000)]);
      const began = performance.now();
      const container = await docker.createContainer({
        name: `paas-${spec.app}-${name}-r${String(spec.release)}-${randomBytes(3).toString('hex')}`,
        Image: image,
        Cmd: ['bash', ...profileWrapperArgs(spec.command)],
        Env: environment(spec.env),
        WorkingDir: '/app',
        Tty: false,
        Labels: {
          'paas.app': spec.app,
          'paas.release': String(spec.release),
          'paas.type': spec.type,
          'paas.index': String(spec.index),
          [MANAGED_LABEL]: 'true',
          [INSTANCE_LABEL]: instance,
        },
        HostConfig: hostConfig(spec.memoryMb),
      });
      const entry = track(container.id, spec.app, name);
      starting.add(container.id);
      // Where a start's time goes, in the started line: the engine's create, the log attach, start and inspect.
      const stages = { createMs: Math.round(performance.now() - began), followMs: 0, startMs: 0, inspectMs: 0 };
      const stage = async <T>(key: keyof typeof stages, work: () => Promise<T>): Promise<T> => {
        const at = performance.now();
        const result = await work();
        stages[key] = Math.round(performance.now() - at);
        return result;
      };
      let inspected: Docker.ContainerInspectInfo;
      try {
        // Attached before it starts: its first line is not missed.
        await stage('followMs', () => follow(container.id, entry));
        await stage('startMs', () => container.start());
        inspected = await stage('inspectMs', () => container.inspect());
      } catch (error) {
        entry.logs?.stop();
        tracked.delete(container.id);
        await container.remove({ force: true }).catch(() => undefined);
        throw error;
      } finally {
        starting.delete(container.id);
      }
      const info = toProcessInfo(inspected, network);
      if (!info) throw new Error(`container ${container.id} lost its labels`);
      inspections.set(container.id, { state: inspected.State.Status, info });
      logger.info({ id: container.id, name, app: spec.app, address: info.address, ...stages }, 'process started');
      return info;
    },

    async stop(id, { graceMs }): Promise<StopResult> {
      const container = docker.getContainer(id);
      let before: Docker.ContainerInspectInfo;
      try {
        before = await container.inspect();
      } catch (error) {
        if (statusOf(error) === 404) return { killed: false }; // already gone
        throw error;
      }
      const labels = before.Config.Labels;
      if (labels[MANAGED_LABEL] !== 'true' || labels[INSTANCE_LABEL] !== instance) throw invalidParams(`Container ${id} is not a process of this platform.`);
      stops += 1;
      takenDown.set(id, stops);
      let killed = false;
      if (before.State.Running) {
        try {
          // Engine API 1.41 counts the grace in whole seconds.
          await container.stop({ t: Math.ceil(graceMs / 1000) });
        } catch (error) {
          if (statusOf(error) !== 304) throw error; // 304: it stopped by itself meanwhile
        }
        const after = await container.inspect();
        killed = after.State.ExitCode === 137 && !after.State.OOMKilled;
        const entry = tracked.get(id);
        if (entry) await Promise.race([entry.reported, timeout(3000)]);
      }
      tracked.get(id)?.logs?.stop();
      tracked.delete(id);
      await container.remove({ force: true, v: true }).catch((error: unknown) => {
        if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error; // 409: removal already under way
      });
      logger.info({ id, killed }, 'process stopped');
      return { killed };
    },

    async usage(id) {
      assertOpen();
      return usageReader.read(docker, id, id);
    },

    async list() {
      assertOpen();
      const since = stops;
      const summaries = await docker.listContainers({ all: true, filters: ownFilter });
      if (!swept) {
        swept = true;
        void sweepOneOffs(docker, { instance, inFlight, logger }).catch((error: unknown) => {
          swept = false; // tried again by the next listing
          logger.warn({ err: error }, 'leftover one-offs not swept');
        });
      }
      const listed = new Set(summaries.map((summary) => summary.Id));
      for (const [id, at] of takenDown) if (at <= since && !listed.has(id)) takenDown.delete(id);
      for (const id of inspections.keys()) if (!listed.has(id)) inspections.delete(id);
      const infos = await Promise.all(
        summaries.map(async (summary) => {
          const info = await inspection(summary.Id, summary.State);
          if (info?.status === 'running' && !tracked.has(info.id) && !takenDown.has(info.id)) {
            // Adopt: from now on its output and exit are ours to report.
            const entry = track(info.id, info.app, info.name);
            await follow(info.id, entry);
            logger.info({ id: info.id, name: info.name, app: info.app }, 'process adopted');
          }
          return info;
        }),
      );
      return infos.filter((info): info is ProcessInfo => info !== undefined);
    },

    async run(spec: OneOffSpec, io: OneOffIo) {
      assertOpen();
      checkOneOffSpec(spec);
      const image = await prepare(spec.slug);
      if (io.signal?.aborted) return { exitCode: null };
      return runOneOffContainer(docker, { spec, io, image, instance, hostConfig: hostConfig(spec.memoryMb), logger, inFlight });
    },

    subscribe: hub.subscribe,

    async close() {
      if (closed) return;
      closed = true;
      watch.close();
      for (const entry of tracked.values()) {
        entry.logs?.stop();
        entry.followed();
        entry.report?.();
      }
      tracked.clear();
    },
  };
}
