import type Docker from 'dockerode';

import { invalidParams } from '@paas/core';

import type { ProcessInfo, ProcessSpec, RuntimeDriver, StopResult } from '../../driver.js';
import { CONTAINER_PORT, INSTANCE_LABEL, MANAGED_LABEL, createDockerDriver } from '../docker/docker.js';
import { containerHostConfig } from '../docker/docker-container-config.js';
import type { ContainerEvent } from '../docker/docker-events.js';
import { slugImageName } from '../docker/docker-image.js';
import { runOneOffContainer } from '../docker/docker-oneoff.js';
import type { OneOffsInFlight } from '../docker/docker-oneoff-sweep.js';
import { createUsageReader } from '../docker/docker-usage.js';
import { type DriverLogger, silentLogger } from '../shared/driver-logger.js';
import { createEventHub } from '../shared/event-hub.js';
import { checkOneOffSpec, checkProcessSpec, processName } from '../shared/process-spec.js';
import { type NodeEngine, createNodeEngines } from './swarm-nodes.js';
import { processInfoOf } from './swarm-process-info.js';
import { type SwarmProcess, createSwarmProcesses } from './swarm-processes.js';
import { oneOffNode } from './swarm-oneoff.js';
import { createOneOffSweeper } from './swarm-oneoff-sweep.js';
import { authConfigOf, pullOnNode } from './swarm-registry.js';
import { type SlugRegistryOptions, createSlugRegistry } from './swarm-slug-registry.js';
import { placementOf, serviceSpec } from './swarm-service.js';
import { NodeLostError, ensureOverlay, serviceTasks, waitForTask } from './swarm-tasks.js';

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
   * (`gateway`, for a paasd on the host of a one-node swarm), on the overlay (`overlay`,
   * for a paasd in a container joined to it), or the node's own address and a port
   * published there (`node`, for a paasd that reaches every node: several nodes).
   */
  readonly reach?: 'gateway' | 'overlay' | 'node';
  /**
   * Where every node pulls slug images from (`host:port`, the manager's swarm address).
   * Without it slug images exist on the manager's engine only: a one-node swarm.
   */
  readonly registry?: SlugRegistryOptions;
  /** How paasd reaches each node's engine; default: the manager's own node only. */
  readonly nodeEngine?: NodeEngine;
  readonly logger?: DriverLogger;
  readonly pidsLimit?: number;
  /** How long Swarm may take to start a task (scheduling, pulling, the container, its network). */
  readonly startTimeoutMs?: number;
}

const statusOf = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;

/**
 * One Swarm service per process (one replica, restart policy none), so the platform keeps
 * its per-process view: the convergence plan, readiness, crash backoff and the router all
 * see processes, not replicas. A process's id is its service's. Output is attached to the
 * task's container on its node's engine, which waits at a gate until then (nothing lost,
 * nothing read twice from the rotating json-file log); exits and OOM kills come from that
 * engine's events, and a node the manager reports down ends its processes. One-offs run as
 * plain containers on a node's engine (the manager's without a registry), joined to the
 * overlay; those a dead paasd left are removed once per node. Slugs reach the nodes through
 * the registry (`swarm-slug-registry.ts`).
 */
export function createSwarmDriver(options: SwarmDriverOptions): RuntimeDriver {
  const { docker } = options;
  const logger = options.logger ?? silentLogger;
  const instance = options.instance ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(instance)) throw invalidParams(`Invalid swarm driver instance ${JSON.stringify(instance)}.`);
  const network = options.network ?? `paas-${instance}`;
  const reach = options.reach ?? 'gateway';
  const ownLabels = [`${MANAGED_LABEL}=true`, `${INSTANCE_LABEL}=${instance}`];
  const instanceLabels = { [MANAGED_LABEL]: 'true', [INSTANCE_LABEL]: instance };
  // Slug images are made, and one-offs run, on the manager's engine; one set of one-offs in flight for both drivers.
  const inFlight: OneOffsInFlight = new Set();
  const engine = createDockerDriver({ docker, stackImage: options.stackImage, instance, network, logger, oneOffsInFlight: inFlight, ...(options.pidsLimit ? { pidsLimit: options.pidsLimit } : {}) });
  const hub = createEventHub(logger);
  const usage = createUsageReader();
  let overlay: Promise<void> | undefined;
  let closed = false;

  const onEvent = (node: string, event: ContainerEvent): void => processes.onEvent(node, event);
  const nodes = createNodeEngines({
    manager: docker,
    nodeEngine: options.nodeEngine,
    eventFilters: { type: ['container'], event: ['die', 'oom'], label: ownLabels },
    onEvent,
    onReconnect: (node) => processes.reconcile(node),
    logger,
  });
  const processes = createSwarmProcesses({ hub, logger });
  const sweeper = createOneOffSweeper({ nodes, instance, inFlight, logger });
  const slugRegistry =
    options.registry && createSlugRegistry(options.registry, { manager: docker, nodes, stackImage: options.stackImage, instance, labels: instanceLabels, startTimeoutMs: options.startTimeoutMs ?? 60_000, logger });

  const assertOpen = (): void => {
    if (closed) throw new Error('the swarm driver is closed');
  };

  const ensureNetwork = (): Promise<void> => {
    overlay ??= ensureOverlay(docker, network, instanceLabels).catch((error: unknown) => {
      overlay = undefined; // tried again by the next start
      throw error;
    });
    return overlay;
  };

  /** The slug's image as every node can pull it: pushed to the registry, or the manager's own. */
  const slugImage = async (spec: Pick<ProcessSpec, 'slug'>): Promise<string> => {
    await engine.prepare(spec.slug);
    const image = slugImageName(spec.slug.checksum);
    return slugRegistry ? slugRegistry.referenceOf(image) : image;
  };

  const toProcessInfo = (service: Docker.Service, view: SwarmProcess): Promise<ProcessInfo | undefined> => processInfoOf(service, view, { reach, network, reportedExit: processes.exitOf(service.ID) });

  /** One try at starting a process: its service, then its task running on some node. */
  const startOn = async (
    spec: ProcessSpec,
    image: string,
    labels: Readonly<Record<string, string>>,
    constraints: readonly string[],
    abandon: (node: string) => Promise<string | undefined>,
  ): Promise<ProcessInfo> => {
    const name = processName(spec);
    const env = Object.entries({ ...spec.env, PORT: String(CONTAINER_PORT) }).map(([key, value]) => `${key}=${value}`);
    const specOfService = serviceSpec(spec, { image, network, port: CONTAINER_PORT, env, labels, pidsLimit: options.pidsLimit ?? 512, graceMs: 30_000, publishOnNode: reach === 'node', constraints });
    // With a password, the credentials go with the service (`--with-registry-auth`): Swarm hands them to the node that pulls.
    const created = options.registry?.password === undefined ? await docker.createService(specOfService) : await docker.createService(authConfigOf(options.registry), specOfService);
    const service = docker.getService(created.id);
    let view: SwarmProcess;
    try {
      const task = await waitForTask(docker, created.id, options.startTimeoutMs ?? 60_000, abandon);
      const node = (await nodes.nodes()).get(task.node);
      if (!node) throw new Error(`Swarm placed the process on node ${task.node}, which it no longer lists.`);
      const nodeEngine = await nodes.engineOf(node);
      await processes.track({ service: created.id, container: task.container, node: node.id, engine: nodeEngine, app: spec.app, name });
      const container = await nodeEngine.getContainer(task.container).inspect();
      view = { node, engine: nodeEngine, container, publishedPort: task.publishedPort, lost: false };
    } catch (error) {
      processes.forget(created.id);
      await service.remove().catch(() => undefined);
      throw error;
    }
    const info = await toProcessInfo((await service.inspect()) as Docker.Service, view);
    if (!info) throw new Error(`service ${created.id} lost its labels`);
    logger.info({ id: created.id, name, app: spec.app, node: info.node, address: info.address }, 'process started');
    return info;
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
      const [image] = await Promise.all([slugImage(spec), ensureNetwork()]);
      const labels = {
        'paas.app': spec.app,
        'paas.release': String(spec.release),
        'paas.type': spec.type,
        'paas.index': String(spec.index),
        ...instanceLabels,
      };
      // Nodes whose engine stopped answering are left out before the manager marks them down.
      const avoid = new Set(await nodes.unreachable());
      const abandon = async (node: string): Promise<string | undefined> => ((await nodes.unreachable()).has(node) ? node : undefined);
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await startOn(spec, image, labels, [...placementOf(spec), ...[...avoid].map((id) => `node.id!=${id}`)], abandon);
        } catch (error) {
          // Placed on a node whose engine stopped answering (a stop the manager has not noticed): again, elsewhere.
          if (!(error instanceof NodeLostError) || attempt >= 3) throw error;
          avoid.add(error.message);
          logger.warn({ app: spec.app, name: processName(spec), node: error.message }, 'node stopped answering; placing the process elsewhere');
        }
      }
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
      processes.takeDown(id);
      const task = (await serviceTasks(docker, [id])).get(id);
      const node = task ? (await nodes.nodes()).get(task.node) : undefined;
      // A node that is down cannot stop anything; removing the service is all there is to do.
      const nodeEngine = node && node.state !== 'down' ? await nodes.engineOf(node).catch(() => undefined) : undefined;
      const containerId = processes.containerOf(id) ?? task?.container;
      const container = containerId === undefined ? undefined : nodeEngine?.getContainer(containerId);
      const killed = container ? await processes.stopContainer(id, container, graceMs) : false;
      processes.forget(id);
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
      const task = (await serviceTasks(docker, [id])).get(id);
      const node = task?.container ? (await nodes.nodes()).get(task.node) : undefined;
      if (!task?.container || !node || node.state === 'down') return undefined;
      return usage.read(await nodes.engineOf(node), id, task.container);
    },

    async list() {
      assertOpen();
      const since = processes.stopsSoFar();
      const services = await docker.listServices({ filters: { label: ownLabels } });
      const [tasks, known, unreachable] = await Promise.all([serviceTasks(docker, services.map((service) => service.ID)), nodes.nodes(), nodes.unreachable()]);
      processes.settleTakenDown(since, new Set(services.map((service) => service.ID)));
      void sweeper.visit(known, unreachable);
      // A node that joined (or came back) since: it trusts the registry's CA before a process is placed there.
      void slugRegistry?.visit(known, unreachable);
      const infos = await Promise.all(
        services.map(async (service) => {
          const task = tasks.get(service.ID);
          const node = task ? known.get(task.node) : undefined;
          // Swarm keeps a dead node's tasks "running" (orphaned only after 24 h): they are gone.
          // So are the processes of a node whose engine stopped answering.
          const lost = node !== undefined && (node.state === 'down' || unreachable.has(node.id));
          if (lost) processes.nodeLost(service.ID);
          const nodeEngine = node && !lost ? await nodes.engineOf(node).catch(() => undefined) : undefined;
          const container = task?.container ? await nodeEngine?.getContainer(task.container).inspect().catch(() => undefined) : undefined;
          const info = await toProcessInfo(service, { node, engine: nodeEngine, container, publishedPort: task?.publishedPort, lost });
          if (container?.State.Running && nodeEngine && node && info && !processes.isTracked(info.id) && !processes.isTakenDown(info.id)) {
            // Adopt: from now on its output and exit are ours to report.
            await processes.track({ service: info.id, container: container.Id, node: node.id, engine: nodeEngine, app: info.app, name: info.name });
            logger.info({ id: info.id, name: info.name, app: info.app, node: info.node }, 'process adopted');
          }
          return info;
        }),
      );
      return infos.filter((info): info is ProcessInfo => info !== undefined);
    },

    async run(spec, io) {
      assertOpen();
      await ensureNetwork();
      // One node's images only (no registry): the one-off runs where they are.
      if (options.registry === undefined) return engine.run(spec, io);
      checkOneOffSpec(spec);
      const image = await slugImage(spec);
      const node = await oneOffNode(docker, nodes, ownLabels, spec);
      const nodeEngine = await nodes.engineOf(node);
      await pullOnNode(nodeEngine, image, options.registry, logger);
      if (io.signal?.aborted) return { exitCode: null };
      logger.info({ app: spec.app, name: spec.name, node: node.hostname || node.id, nodeId: node.id }, 'one-off placed');
      return runOneOffContainer(nodeEngine, { spec, io, image, instance, hostConfig: containerHostConfig(spec.memoryMb, network, options.pidsLimit ?? 512), logger, inFlight });
    },

    async removeSlugCopies(images) {
      await slugRegistry?.removeCopies(images);
    },

    subscribe: hub.subscribe,

    async close() {
      if (closed) return;
      closed = true;
      nodes.close();
      await engine.close();
      processes.close();
    },
  };
}
