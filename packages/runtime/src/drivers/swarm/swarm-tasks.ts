import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

/** The bridge Swarm gives every task container for traffic off the overlay, on each node. */
export const GATEWAY_BRIDGE = 'docker_gwbridge';

const POLL_MS = 50;

interface TaskRaw {
  readonly ID?: string;
  readonly ServiceID?: string;
  readonly NodeID?: string;
  readonly CreatedAt?: string;
  readonly Status?: {
    readonly State?: string;
    readonly Err?: string;
    readonly ContainerStatus?: { readonly ContainerID?: string; readonly ExitCode?: number };
    readonly PortStatus?: { readonly Ports?: readonly { readonly TargetPort?: number; readonly PublishedPort?: number }[] };
  };
}

/** What the manager knows of a service's newest task: where it runs and in which container. */
export interface TaskView {
  readonly service: string;
  readonly node: string;
  readonly state: string;
  readonly container: string | undefined;
  readonly exitCode: number | undefined;
  /** The node's port for the process's port, when it is published on the node (`reach: 'node'`). */
  readonly publishedPort: number | undefined;
}

/** Task states after which no container will come. */
const ENDED = new Set(['rejected', 'failed', 'shutdown', 'orphaned', 'remove', 'complete']);

function toTaskView(task: TaskRaw): TaskView {
  return {
    service: task.ServiceID ?? '',
    node: task.NodeID ?? '',
    state: task.Status?.State ?? 'new',
    container: task.Status?.ContainerStatus?.ContainerID || undefined,
    exitCode: task.Status?.ContainerStatus?.ExitCode,
    publishedPort: task.Status?.PortStatus?.Ports?.find((port) => port.PublishedPort)?.PublishedPort,
  };
}

const FALLBACK = Symbol('one query per service');

/** The newest task of each of these services, by service id (one query to the manager). */
export async function serviceTasks(manager: Docker, services: readonly string[]): Promise<Map<string, TaskView>> {
  const newest = new Map<string, TaskRaw>();
  if (services.length === 0) return new Map();
  const tasks = (await manager.listTasks({ filters: { service: [...services] } }).catch((error: unknown) => {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    // A service of the filter is gone meanwhile (a stop), its tasks with it: ask for each of the others.
    return services.length === 1 ? [] : FALLBACK;
  })) as TaskRaw[] | typeof FALLBACK;
  if (tasks === FALLBACK) {
    const each = await Promise.all(services.map((service) => serviceTasks(manager, [service])));
    return new Map(each.flatMap((found) => [...found]));
  }
  for (const task of tasks) {
    const known = task.ServiceID === undefined ? undefined : newest.get(task.ServiceID);
    if (task.ServiceID && (!known || (known.CreatedAt ?? '') < (task.CreatedAt ?? ''))) newest.set(task.ServiceID, task);
  }
  return new Map([...newest].map(([service, task]) => [service, toTaskView(task)]));
}

/**
 * The task Swarm made for a one-replica service, once its container runs (its process
 * waits at the gate, so nothing is missed meanwhile) and the node has published its port.
 * A task Swarm could not start is an error with Swarm's own reason ("No such image",
 * "insufficient resources", "no suitable node").
 */
export class NodeLostError extends Error {}

/**
 * `abandon` is asked about once a second while the task is not running yet: a reason to give
 * up on its node (the node stopped answering after the manager placed the task there).
 */
export async function waitForTask(
  manager: Docker,
  serviceId: string,
  timeoutMs: number,
  abandon?: (node: string) => Promise<string | undefined>,
): Promise<TaskView & { container: string }> {
  const deadline = Date.now() + timeoutMs;
  let last: TaskRaw | undefined;
  let nextCheck = Date.now() + 1000;
  for (;;) {
    const tasks = (await manager.listTasks({ filters: { service: [serviceId] } })) as TaskRaw[];
    last = tasks[0];
    const view = last ? toTaskView(last) : undefined;
    if (view?.container && view.state === 'running') return { ...view, container: view.container };
    if (abandon && view?.node && Date.now() >= nextCheck) {
      nextCheck = Date.now() + 1000;
      const why = await abandon(view.node);
      if (why) throw new NodeLostError(why);
    }
    if (view && ENDED.has(view.state)) {
      throw new Error(`Swarm did not start the process: task ${view.state}${last?.Status?.Err ? `: ${last.Status.Err}` : ''}.`);
    }
    if (Date.now() > deadline) {
      const why = last?.Status?.Err ? `: ${last.Status.Err}` : '';
      throw new Error(`Swarm did not start the process within ${String(timeoutMs / 1000)} s (task ${view?.state ?? 'not yet made'}${why}).`);
    }
    await sleep(POLL_MS);
  }
}

/**
 * Each task container's address on this node's gateway bridge, by container id. The
 * overlay's addresses are reachable only from containers on the overlay (measured here:
 * from the host, 10.0.x.y goes out the default route); the gateway bridge is the host's
 * own interface, so a paasd on a swarm node reaches the processes of that node there.
 */
export async function gatewayAddresses(docker: Docker): Promise<Map<string, string>> {
  const addresses = new Map<string, string>();
  const info = (await docker
    .getNetwork(GATEWAY_BRIDGE)
    .inspect()
    .catch(() => undefined)) as { Containers?: Record<string, { IPv4Address?: string }> } | undefined;
  for (const [id, endpoint] of Object.entries(info?.Containers ?? {})) {
    const address = endpoint.IPv4Address?.split('/')[0];
    if (address) addresses.set(id, address);
  }
  return addresses;
}

/** Makes the attachable overlay network the processes (and one-offs) join, unless it is there. */
export async function ensureOverlay(docker: Docker, name: string, labels: Readonly<Record<string, string>>): Promise<void> {
  const existing = await docker.listNetworks({ filters: { name: [name] } });
  if (existing.some((network) => network.Name === name)) return;
  await docker
    .createNetwork({ Name: name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: { ...labels } })
    .catch((error: unknown) => {
      // 409: another driver made it meanwhile.
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    });
}
