import type Docker from 'dockerode';

import { type ContainerEvent, type ContainerEventWatch, watchContainerEvents } from '../docker/docker-events.js';
import type { DriverLogger } from '../shared/driver-logger.js';

/** How long a node's engine has to answer a ping, and how many timeouts in a row make it unreachable. */
const PING_TIMEOUT_MS = 3000;
const TIMEOUTS_DOWN = 2;

/** A node of the swarm as the manager sees it. */
export interface SwarmNode {
  readonly id: string;
  readonly hostname: string;
  /** The address the node advertises to the swarm (where its host-published ports answer). */
  readonly address: string;
  /** `ready`, `down`, `unknown`, `disconnected`. */
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `manager` or `worker`. */
  readonly role: string;
  /** `active`, `pause` or `drain`: only an active node takes new work. */
  readonly availability: string;
}

/**
 * The engine of a node (undefined: the manager's client for its own node, else none), for what only that engine can do: attach to a task container's
 * output (its gate), inspect and stop it, follow its `die` and `oom` events. Undefined for
 * a node paasd has no way to reach.
 */
export type NodeEngine = (node: SwarmNode) => Docker | undefined;

interface NodeRaw {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
  Spec?: { Labels?: Record<string, string>; Role?: string; Availability?: string };
}

export function toSwarmNode(raw: NodeRaw): SwarmNode {
  return {
    id: raw.ID,
    hostname: raw.Description?.Hostname ?? '',
    address: raw.Status?.Addr ?? '',
    state: raw.Status?.State ?? 'unknown',
    labels: { ...(raw.Spec?.Labels ?? {}) },
    role: raw.Spec?.Role ?? 'worker',
    availability: raw.Spec?.Availability ?? 'active',
  };
}

export interface NodeEngines {
  /** The swarm's nodes now, by id. */
  nodes(): Promise<Map<string, SwarmNode>>;
  /** The engine of a node, with its event watch started; throws when paasd cannot reach it. */
  engineOf(node: SwarmNode): Promise<Docker>;
  /** Whether paasd has a way to reach this node's engine (without connecting to it). */
  reachable(node: SwarmNode): Promise<boolean>;
  /** The engines already in use, by node id. */
  known(): ReadonlyMap<string, Docker>;
  /**
   * Nodes whose engine does not answer now. The manager marks a node down only after
   * missed heartbeats, and places tasks on it until then: a stopped engine is seen here
   * first (asked at most once a second).
   */
  unreachable(): Promise<ReadonlySet<string>>;
  close(): void;
}

export interface NodeEnginesOptions {
  readonly manager: Docker;
  readonly nodeEngine?: NodeEngine | undefined;
  readonly eventFilters: Readonly<Record<string, readonly string[]>>;
  readonly onEvent: (node: string, event: ContainerEvent) => void;
  readonly onReconnect: (node: string) => void;
  readonly logger: DriverLogger;
}

/**
 * One client and one event watch per node that runs this installation's processes. By
 * default only the manager's own node is reachable (its engine is the manager's client):
 * a one-node swarm. With several nodes, `nodeEngine` says how to reach each one.
 */
export function createNodeEngines(options: NodeEnginesOptions): NodeEngines {
  const { manager } = options;
  const engines = new Map<string, { docker: Docker; watch: ContainerEventWatch }>();
  let self: Promise<string> | undefined;
  let lastCheck: { at: number; result: Promise<ReadonlySet<string>> } | undefined;
  // Timeouts in a row per node: one alone may be paasd's own event loop, busy (a log burst), not the node.
  const timeouts = new Map<string, number>();
  const answers = async (id: string, docker: Docker): Promise<boolean> => {
    let answer: boolean | undefined;
    const ping = docker.ping().then(() => (answer = true), () => (answer = false));
    await Promise.race([ping, new Promise((resolve) => setTimeout(resolve, PING_TIMEOUT_MS).unref())]);
    // A timer that fired late may have an answer waiting behind it: I/O callbacks run first.
    if (answer === undefined) await new Promise((resolve) => setImmediate(resolve));
    if (answer !== undefined) {
      timeouts.delete(id);
      // Refused (a stopped engine's socket is gone): down at once.
      return answer;
    }
    const inARow = (timeouts.get(id) ?? 0) + 1;
    timeouts.set(id, inARow);
    return inARow < TIMEOUTS_DOWN;
  };
  const selfId = (): Promise<string> => {
    self ??= manager.info().then((info: { Swarm?: { NodeID?: string } }) => info.Swarm?.NodeID ?? '');
    return self;
  };

  return {
    async nodes() {
      const raw = (await manager.listNodes()) as NodeRaw[];
      return new Map(raw.map((node) => [node.ID, toSwarmNode(node)]));
    },

    async engineOf(node) {
      const known = engines.get(node.id);
      if (known) return known.docker;
      // The manager's own node is reached through the manager's client unless said otherwise.
      const docker = options.nodeEngine?.(node) ?? (node.id === (await selfId()) ? manager : undefined);
      if (!docker) {
        throw new Error(`paasd cannot reach the engine of swarm node ${node.hostname} (${node.id}, ${node.address}): give the swarm driver a way to reach every node's engine.`);
      }
      const again = engines.get(node.id); // another caller made it while we waited
      if (again) return again.docker;
      const watch = watchContainerEvents(docker, {
        filters: options.eventFilters,
        onEvent: (event) => options.onEvent(node.id, event),
        onReconnect: () => options.onReconnect(node.id),
        logger: options.logger,
      });
      engines.set(node.id, { docker, watch });
      // A start right after must not miss its own `die`; an engine that does not answer is not waited for long.
      await Promise.race([watch.ready, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      return docker;
    },

    async reachable(node) {
      return options.nodeEngine?.(node) !== undefined || node.id === (await selfId());
    },

    unreachable() {
      if (lastCheck && Date.now() - lastCheck.at < 1000) return lastCheck.result;
      const result = Promise.all([...engines].map(async ([id, { docker }]) => ((await answers(id, docker)) ? undefined : id))).then(
        (ids) => new Set(ids.filter((id): id is string => id !== undefined)),
      );
      lastCheck = { at: Date.now(), result };
      return result;
    },

    known() {
      return new Map([...engines].map(([id, { docker }]) => [id, docker]));
    },

    close() {
      for (const { watch } of engines.values()) watch.close();
      engines.clear();
    },
  };
}
