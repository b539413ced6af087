import { setTimeout as sleep } from 'node:timers/promises';

import type Docker from 'dockerode';

import { SERVICE_ID_LABEL } from './swarm-service.js';

/** The bridge Swarm gives every task container for traffic off the overlay, on each node. */
export const GATEWAY_BRIDGE = 'docker_gwbridge';

const POLL_MS = 50;

interface TaskStatus {
  readonly State?: string;
  readonly Err?: string;
  readonly ContainerStatus?: { readonly ContainerID?: string };
}

/** Task states after which no container will come. */
const ENDED = new Set(['rejected', 'failed', 'shutdown', 'orphaned', 'remove', 'complete']);

/**
 * The container Swarm made for a one-replica service, once it runs (its process waits at
 * the gate, so nothing is missed meanwhile). A task Swarm could not start is an error with
 * Swarm's own reason ("No such image", "insufficient resources").
 */
export async function waitForTaskContainer(docker: Docker, serviceId: string, timeoutMs: number): Promise<Docker.ContainerInspectInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = (await docker.listTasks({ filters: { service: [serviceId] } })) as { Status?: TaskStatus }[];
    const status = tasks[0]?.Status;
    const containerId = status?.ContainerStatus?.ContainerID;
    if (containerId) {
      const info = await docker.getContainer(containerId).inspect();
      if (info.State.Status !== 'created') return info;
    } else if (status?.State !== undefined && ENDED.has(status.State)) {
      throw new Error(`Swarm did not start the process: task ${status.State}${status.Err ? `: ${status.Err}` : ''}.`);
    }
    if (Date.now() > deadline) throw new Error(`Swarm did not start the process within ${String(timeoutMs / 1000)} s (task ${status?.State ?? 'not yet made'}).`);
    await sleep(POLL_MS);
  }
}

/** The newest task container of each service, among this installation's containers. */
export async function taskContainers(docker: Docker, labels: readonly string[]): Promise<Map<string, Docker.ContainerInfo>> {
  const byService = new Map<string, Docker.ContainerInfo>();
  for (const container of await docker.listContainers({ all: true, filters: { label: [...labels] } })) {
    const service = container.Labels[SERVICE_ID_LABEL];
    if (!service) continue;
    const known = byService.get(service);
    if (!known || known.Created < container.Created) byService.set(service, container);
  }
  return byService;
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
