import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import type { DriverEvent } from '../../driver.js';
import type { ContainerEvent } from '../docker/docker-events.js';
import { type TrackedContainer, attachContainerOutput } from '../docker/docker-logs.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import { SERVICE_ID_LABEL } from './swarm-service.js';
import type { SwarmNode } from './swarm-nodes.js';

/** What the driver knows of one process's task, to answer `list` and `start`. */
export interface SwarmProcess {
  readonly node: SwarmNode | undefined;
  readonly engine: Docker | undefined;
  readonly container: Docker.ContainerInspectInfo | undefined;
  readonly publishedPort: number | undefined;
  /** Its node is down: the process is gone, whatever the manager still says of its task. */
  readonly lost: boolean;
}

/** Followed on the engine of the node it runs on. */
interface Tracked extends TrackedContainer {
  readonly node: string;
  readonly engine: Docker;
  readonly container: string;
}

export interface TrackOptions {
  readonly service: string;
  readonly container: string;
  readonly node: string;
  readonly engine: Docker;
  readonly app: string;
  readonly name: string;
}

const timeout = (ms: number): Promise<void> => sleep(ms, undefined, { ref: false });
const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

function signalOf(code: number | null): string | null {
  if (code === null || code <= 128) return null;
  return Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] ?? null;
}

/**
 * The processes this driver follows, each on its node's engine: output attached (the gate
 * opened), exits reported once, output first. Stops taken down recently are remembered so
 * that a `list` racing a stop does not adopt what is being stopped.
 */
export function createSwarmProcesses(options: { readonly hub: { emit(event: DriverEvent): void }; readonly logger: DriverLogger }) {
  const { hub, logger } = options;
  const tracked = new Map<string, Tracked>();
  const takenDown = new Map<string, number>();
  // Exits reported while the service still exists: what `list` says of it when its engine cannot tell (gone with its node).
  const exited = new Map<string, number | null>();
  let stops = 0;

  const reportExit = async (service: string, entry: Tracked, code: number | null, oomSeen: boolean): Promise<void> => {
    if (!entry.report) return;
    const done = entry.report;
    entry.report = undefined;
    // Output first, then the exit, as on the Docker driver.
    await Promise.race([entry.following.then(() => entry.logs?.done), timeout(3000)]);
    let oom = oomSeen || entry.oom;
    if (!oom && code === 137) oom = (await entry.engine.getContainer(entry.container).inspect().catch(() => undefined))?.State.OOMKilled ?? false;
    tracked.delete(service);
    exited.set(service, code);
    logger.info({ id: service, name: entry.name, app: entry.app, node: entry.node, code, oom }, 'process exited');
    hub.emit({ type: 'exit', id: service, name: entry.name, app: entry.app, code, signal: signalOf(code), oom });
    done();
  };

  return {
    onEvent(node: string, event: ContainerEvent): void {
      const service = event.attributes[SERVICE_ID_LABEL];
      const entry = service === undefined ? undefined : tracked.get(service);
      if (!service || !entry || entry.container !== event.id || entry.node !== node) return;
      if (event.action === 'oom') entry.oom = true;
      if (event.action === 'die') {
        const code = Number(event.attributes.exitCode);
        void reportExit(service, entry, Number.isInteger(code) ? code : null, false);
      }
    },

    /** After a node's event stream reconnected: exits it may have missed. */
    reconcile(node: string): void {
      for (const [service, entry] of tracked) {
        if (entry.node !== node) continue;
        void entry.engine
          .getContainer(entry.container)
          .inspect()
          .then(
            (info) => (info.State.Running ? undefined : reportExit(service, entry, info.State.ExitCode, info.State.OOMKilled)),
            (error: unknown) => (statusOf(error) === 404 ? reportExit(service, entry, null, false) : undefined),
          );
      }
    },

    /** Its node is down: it exited, with no code (nobody saw how). */
    nodeLost(service: string): void {
      const entry = tracked.get(service);
      if (!entry) return;
      entry.logs?.stop();
      void reportExit(service, entry, null, false);
    },

    async track(track: TrackOptions): Promise<void> {
      // Followed already: a `list` adopting the container while its start was still waiting for the task
      // (or two listings at once). A second attach would hand every line after it to the log twice.
      const current = tracked.get(track.service);
      if (current?.container === track.container) return current.following;
      current?.logs?.stop();
      let report: () => void = () => undefined;
      const reported = new Promise<void>((resolve) => (report = resolve));
      let followed: () => void = () => undefined;
      const following = new Promise<void>((resolve) => (followed = resolve));
      const { service, app, name } = track;
      const entry: Tracked = { app, name, node: track.node, engine: track.engine, container: track.container, oom: false, reported, report, following, followed };
      tracked.set(service, entry);
      const onLine = (stream: 'stdout' | 'stderr', line: string): void => hub.emit({ type: 'output', id: service, name, app, stream, line });
      entry.logs = await attachContainerOutput(track.engine, track.container, onLine, { openGate: true }).catch((error: unknown) => {
        logger.warn({ err: error, id: service }, 'container logs unavailable');
        return undefined;
      });
      entry.followed();
    },

    /** Stops a task's container with the platform's grace; true when it had to be killed. */
    async stopContainer(service: string, container: Docker.Container, graceMs: number): Promise<boolean> {
      const before = await container.inspect().catch(() => undefined);
      if (!before?.State.Running) return false;
      try {
        // Stopped here rather than by removing the service: the platform's grace, and a kill it can tell.
        await container.stop({ t: Math.ceil(graceMs / 1000) });
      } catch (error) {
        if (statusOf(error) !== 304) throw error;
      }
      const after = await container.inspect();
      const entry = tracked.get(service);
      if (entry) await Promise.race([entry.reported, timeout(3000)]);
      return after.State.ExitCode === 137 && !after.State.OOMKilled;
    },

    /** The exit reported for a process, if one was: a code, or null when nobody saw how it ended. */
    exitOf: (service: string): number | null | undefined => exited.get(service),
    containerOf: (service: string): string | undefined => tracked.get(service)?.container,
    isTracked: (service: string): boolean => tracked.has(service),
    isTakenDown: (service: string): boolean => takenDown.has(service),
    stopsSoFar: (): number => stops,

    takeDown(service: string): void {
      stops += 1;
      takenDown.set(service, stops);
    },

    /** Forgets stops older than a listing that no longer shows their service. */
    settleTakenDown(since: number, listed: ReadonlySet<string>): void {
      for (const [id, at] of takenDown) if (at <= since && !listed.has(id)) takenDown.delete(id);
    },

    forget(service: string): void {
      exited.delete(service);
      tracked.get(service)?.logs?.stop();
      tracked.delete(service);
    },

    close(): void {
      for (const entry of tracked.values()) {
        entry.logs?.stop();
        entry.followed();
        entry.report?.();
      }
      tracked.clear();
    },
  };
}

export type SwarmProcesses = ReturnType<typeof createSwarmProcesses>;
