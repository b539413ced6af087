import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import { invalidParams } from '@paas/core';

import type { ProcessInfo, ProcessSpec, RuntimeDriver, StopResult } from '../../driver.js';
import { CONTAINER_PORT, INSTANCE_LABEL, MANAGED_LABEL, createDockerDriver } from '../docker/docker.js';
import { type ContainerEvent, watchContainerEvents } from '../docker/docker-events.js';
import { type LogFollow, attachContainerOutput } from '../docker/docker-logs.js';
import { type DriverLogger, silentLogger } from '../shared/driver-logger.js';
import { createEventHub } from '../shared/event-hub.js';
import { checkProcessSpec, processName } from '../shared/process-spec.js';
import { slugImageName } from '../docker/docker-image.js';
import { SERVICE_ID_LABEL, serviceSpec } from './swarm-service.js';
import { ensureOverlay, gatewayAddresses, taskContainers, waitForTaskContainer } from './swarm-tasks.js';

export interface SwarmDriverOptions {
  /** A client of a manager's engine. */
  readonly docker: Docker;
  /** The image slugs are laid on (`FROM`). */
  readonly stackImage: string;
  /** The installation the services belong to, as for the Docker driver (default `default`). */
  readonly instance?: string;
  /** The attachable overlay network processes and one-offs join; default `paas-<instance>`. */
  readonly network?: string;
  /**
   * Which address the router is given: the task's address on the node's gateway bridge
   * (`gateway`, for a paasd on the host of a one-node swarm), or on the overlay (`overlay`,
   * for a paasd in a container joined to it).
   */
  readonly reach?: 'gateway' | 'overlay';
  readonly logger?: DriverLogger;
  readonly pidsLimit?: number;
  /** How long Swarm may take to start a task (scheduling, the container, its network). */
  readonly startTimeoutMs?: number;
}

interface Tracked {
  readonly app: string;
  readonly name: string;
  readonly container: string;
  logs?: LogFollow | undefined;
  readonly following: Promise<void>;
  followed: () => void;
  oom: boolean;
  readonly reported: Promise<void>;
  report: (() => void) | undefined;
}

const timeout = (ms: number): Promise<void> => sleep(ms, undefined, { ref: false });
const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

function signalOf(code: number | null): string | null {
  if (code === null || code <= 128) return null;
  return Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] ?? null;
}

/**
 * One Swarm service per process (one replica, restart policy none), so the platform keeps
 * its per-process view: the convergence plan, readiness, crash backoff and the router all
 * see processes, not replicas. A process's id is its service's. Output is attached to the
 * task's container, which waits at a gate until then (nothing lost, nothing read twice
 * from the rotating json-file log); exits and OOM kills come from the engine's events.
 * One-offs run as plain containers on the manager's engine, joined to the overlay.
 */
export function createSwarmDriver(options: SwarmDriverOptions): RuntimeDriver {
  const { docker } = options;
  const logger = options.logger ?? silentLogger;
  const instance = options.instance ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(instance)) throw invalidParams(`Invalid swarm driver instance ${JSON.stringify(instance)}.`);
  const network = options.network ?? `paas-${instance}`;
  const reach = options.reach ?? 'gateway';
  const ownLabels = [`${MANAGED_LABEL}=true`, `${INSTANCE_LABEL}=${instance}`];
  // Slug images, one-offs and usage are the same as on one engine: the manager's.
  const engine = createDockerDriver({ docker, stackImage: options.stackImage, instance, network, logger, ...(options.pidsLimit ? { pidsLimit: options.pidsLimit } : {}) });
  const hub = createEventHub(logger);
  const tracked = new Map<string, Tracked>();
  const takenDown = new Map<string, number>();
  let stops = 0;
  let overlay: Promise<void> | undefined;
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('the swarm driver is closed');
  };

  const ensureNetwork = (): Promise<void> => {
    overlay ??= ensureOverlay(docker, network, { [MANAGED_LABEL]: 'true', [INSTANCE_LABEL]: instance }).catch((error: unknown) => {
      overlay = undefined; // tried again by the next start
      throw error;
    });
    return overlay;
  };

  const reportExit = async (service: string, entry: Tracked, code: number | null, oomSeen: boolean): Promise<void> => {
    if (!entry.report) return;
    const done = entry.report;
    entry.report = undefined;
    // Output first, then the exit, as on the Docker driver.
    await Promise.race([entry.following.then(() => entry.logs?.done), timeout(3000)]);
    let oom = oomSeen || entry.oom;
    if (!oom && code === 137) oom = (await docker.getContainer(entry.container).inspect().catch(() => undefined))?.State.OOMKilled ?? false;
    tracked.delete(service);
    logger.info({ id: service, name: entry.name, app: entry.app, code, oom }, 'process exited');
    hub.emit({ type: 'exit', id: service, name: entry.name, app: entry.app, code, signal: signalOf(code), oom });
    done();
  };

  const onEvent = (event: ContainerEvent): void => {
    const service = event.attributes[SERVICE_ID_LABEL];
    const entry = service === undefined ? undefined : tracked.get(service);
    if (!service || !entry || entry.container !== event.id) return;
    if (event.action === 'oom') entry.oom = true;
    if (event.action === 'die') {
      const code = Number(event.attributes.exitCode);
      void reportExit(service, entry, Number.isInteger(code) ? code : null, false);
    }
  };

  const reconcile = (): void => {
    for (const [service, entry] of tracked) {
      void docker
        .getContainer(entry.container)
        .inspect()
        .then(
          (info) => (info.State.Running ? undefined : reportExit(service, entry, info.State.ExitCode, info.State.OOMKilled)),
          (error: unknown) => (statusOf(error) === 404 ? reportExit(service, entry, null, false) : undefined),
        );
    }
  };

  const watch = watchContainerEvents(docker, {
    filters: { type: ['container'], event: ['die', 'oom'], label: ownLabels },
    onEvent,
    onReconnect: reconcile,
    logger,
  });

  const track = async (service: string, container: string, app: string, name: string): Promise<void> => {
    let report: () => void = () => undefined;
    const reported = new Promise<void>((resolve) => (report = resolve));
    let followed: () => void = () => undefined;
    const following = new Promise<void>((resolve) => (followed = resolve));
    const entry: Tracked = { app, name, container, oom: false, reported, report, following, followed };
    tracked.set(service, entry);
    const onLine = (stream: 'stdout' | 'stderr', line: string): void => hub.emit({ type: 'output', id: service, name, app, stream, line });
    entry.logs = await attachContainerOutput(docker, container, onLine, { openGate: true }).catch((error: unknown) => {
      logger.warn({ err: error, id: service }, 'container logs unavailable');
      return undefined;
    });
    entry.followed();
  };

  const toProcessInfo = (service: Docker.Service, container: Docker.ContainerInspectInfo | undefined, gateways: Map<string, string>): ProcessInfo | undefined => {
    const labels = service.Spec?.Labels ?? {};
    const app = labels['paas.app'];
    const type = labels['paas.type'];
    const index = Number(labels['paas.index']);
    const release = Number(labels['paas.release']);
    if (!app || !type || !Number.isSafeInteger(index) || !Number.isSafeInteger(release)) return undefined;
    const host = container ? (reach === 'gateway' ? gateways.get(container.Id) : container.NetworkSettings.Networks[network]?.IPAddress) : undefined;
    const started = container?.State.StartedAt;
    const base = {
      id: service.ID,
      app,
      release,
      type,
      index,
      name: `${type}.${String(index)}`,
      address: { host: host ?? '', port: CONTAINER_PORT },
      startedAt: started && !started.startsWith('0001-') ? new Date(started).toISOString() : new Date(service.CreatedAt ?? Date.now()).toISOString(),
    };
    // A service whose task is not running yet counts as running: it is starting, not gone.
    if (!container || container.State.Running || container.State.Status === 'created') return { ...base, status: 'running' };
    return { ...base, status: 'exited', exitCode: container.State.ExitCode };
  };

  return {
    name: 'swarm',

    async prepare(slug) {
      assertOpen();
      await engine.prepare(slug);
    },

    async start(spec: ProcessSpec) {
      assertOpen();
      checkProcessSpec(spec);
      const [image] = await Promise.all([engineImage(spec), ensureNetwork()]);
      const name = processName(spec);
      await Promise.race([watch.ready, timeout(5000)]);
      const labels = {
        'paas.app': spec.app,
        'paas.release': String(spec.release),
        'paas.type': spec.type,
        'paas.index': String(spec.index),
        [MANAGED_LABEL]: 'true',
        [INSTANCE_LABEL]: instance,
      };
      const env = Object.entries({ ...spec.env, PORT: String(CONTAINER_PORT) }).map(([key, value]) => `${key}=${value}`);
      const created = await docker.createService(serviceSpec(spec, { image, network, env, labels, pidsLimit: options.pidsLimit ?? 512, graceMs: 30_000 }));
      const service = docker.getService(created.id);
      let container: Docker.ContainerInspectInfo;
      try {
        container = await waitForTaskContainer(docker, created.id, options.startTimeoutMs ?? 60_000);
        await track(created.id, container.Id, spec.app, name);
      } catch (error) {
        tracked.get(created.id)?.logs?.stop();
        tracked.delete(created.id);
        await service.remove().catch(() => undefined);
        throw error;
      }
      const info = toProcessInfo((await service.inspect()) as Docker.Service, await docker.getContainer(container.Id).inspect(), await gatewayAddresses(docker));
      if (!info) throw new Error(`service ${created.id} lost its labels`);
      logger.info({ id: created.id, name, app: spec.app, address: info.address }, 'process started');
      return info;
    },

    async stop(id, { graceMs }): Promise<StopResult> {
      const service = docker.getService(id);
      let spec: Docker.Service;
      try {
        spec = (await service.inspect()) as Docker.Service;
      } catch (error) {
        if (statusOf(error) === 404) return { killed: false }; // already gone
        throw error;
      }
      const labels = spec.Spec?.Labels ?? {};
      if (labels[MANAGED_LABEL] !== 'true' || labels[INSTANCE_LABEL] !== instance) throw invalidParams(`Service ${id} is not a process of this platform.`);
      stops += 1;
      takenDown.set(id, stops);
      const containerId = tracked.get(id)?.container ?? (await taskContainers(docker, [`${SERVICE_ID_LABEL}=${id}`])).get(id)?.Id;
      let killed = false;
      const container = containerId === undefined ? undefined : docker.getContainer(containerId);
      const before = await container?.inspect().catch(() => undefined);
      if (container && before?.State.Running) {
        try {
          // Stopped here rather than by removing the service: the platform's grace, and a kill it can tell.
          await container.stop({ t: Math.ceil(graceMs / 1000) });
        } catch (error) {
          if (statusOf(error) !== 304) throw error;
        }
        const after = await container.inspect();
        killed = after.State.ExitCode === 137 && !after.State.OOMKilled;
        const entry = tracked.get(id);
        if (entry) await Promise.race([entry.reported, timeout(3000)]);
      }
      tracked.get(id)?.logs?.stop();
      tracked.delete(id);
      await service.remove().catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
      // Swarm removes a removed service's containers in its own time; this one goes now.
      await container?.remove({ force: true, v: true }).catch(() => undefined);
      logger.info({ id, killed }, 'process stopped');
      return { killed };
    },

    async usage(id) {
      assertOpen();
      const container = tracked.get(id)?.container ?? (await taskContainers(docker, [`${SERVICE_ID_LABEL}=${id}`])).get(id)?.Id;
      return container === undefined ? undefined : engine.usage?.(container);
    },

    async list() {
      assertOpen();
      const since = stops;
      const [services, containers, gateways] = await Promise.all([
        docker.listServices({ filters: { label: ownLabels } }),
        taskContainers(docker, ownLabels),
        gatewayAddresses(docker),
      ]);
      const listed = new Set(services.map((service) => service.ID));
      for (const [id, at] of takenDown) if (at <= since && !listed.has(id)) takenDown.delete(id);
      const infos = await Promise.all(
        services.map(async (service) => {
          const summary = containers.get(service.ID);
          const container = summary && (await docker.getContainer(summary.Id).inspect().catch(() => undefined));
          const info = toProcessInfo(service, container, gateways);
          if (container?.State.Running && info && !tracked.has(info.id) && !takenDown.has(info.id)) {
            // Adopt: from now on its output and exit are ours to report.
            await track(info.id, container.Id, info.app, info.name);
            logger.info({ id: info.id, name: info.name, app: info.app }, 'process adopted');
          }
          return info;
        }),
      );
      return infos.filter((info): info is ProcessInfo => info !== undefined);
    },

    async run(spec, io) {
      assertOpen();
      await ensureNetwork();
      return engine.run(spec, io);
    },

    subscribe: hub.subscribe,

    async close() {
      if (closed) return;
      closed = true;
      watch.close();
      await engine.close();
      for (const entry of tracked.values()) {
        entry.logs?.stop();
        entry.followed();
        entry.report?.();
      }
      tracked.clear();
    },
  };

  /** The slug's image on the manager's engine (a one-node swarm: the node's own). */
  async function engineImage(spec: ProcessSpec): Promise<string> {
    await engine.prepare(spec.slug);
    return slugImageName(spec.slug.checksum);
  }
}
