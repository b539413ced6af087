import type Docker from 'dockerode';

import type { ProcessInfo } from '../../driver.js';
import { CONTAINER_PORT } from '../docker/docker-container-config.js';
import type { SwarmNode } from './swarm-nodes.js';
import type { SwarmProcess } from './swarm-processes.js';
import { gatewayAddresses } from './swarm-tasks.js';

export interface ProcessInfoContext {
  /** How the router reaches processes (the driver's `reach`). */
  readonly reach: 'gateway' | 'overlay' | 'node';
  /** The overlay processes join. */
  readonly network: string;
  /** The exit the driver reported for it, if any (null: without a code). */
  readonly reportedExit: number | null | undefined;
}

/** Where the router reaches a process, by the driver's `reach`. */
async function addressOf(view: SwarmProcess, { reach, network }: ProcessInfoContext): Promise<{ host: string; port: number }> {
  const { node, engine, container, publishedPort } = view;
  if (reach === 'node') return { host: publishedPort ? (node?.address ?? '') : '', port: publishedPort ?? CONTAINER_PORT };
  if (reach === 'overlay') return { host: container?.NetworkSettings.Networks[network]?.IPAddress ?? '', port: CONTAINER_PORT };
  const gateways = engine && container ? await gatewayAddresses(engine) : new Map<string, string>();
  return { host: (container && gateways.get(container.Id)) ?? '', port: CONTAINER_PORT };
}

const nodeName = (node: SwarmNode): string => (node.hostname === '' ? node.id : node.hostname);

/**
 * A process as the platform sees it, from its service's labels and what its node's engine says
 * of its task's container; undefined for a service that is not one of the platform's processes.
 */
export async function processInfoOf(service: Docker.Service, view: SwarmProcess, context: ProcessInfoContext): Promise<ProcessInfo | undefined> {
  const labels = service.Spec?.Labels ?? {};
  const app = labels['paas.app'];
  const type = labels['paas.type'];
  const index = Number(labels['paas.index']);
  const release = Number(labels['paas.release']);
  if (!app || !type || !Number.isSafeInteger(index) || !Number.isSafeInteger(release)) return undefined;
  const { container, node } = view;
  const started = container?.State.StartedAt;
  const base = {
    id: service.ID,
    app,
    release,
    type,
    index,
    name: `${type}.${String(index)}`,
    address: await addressOf(view, context),
    startedAt: started && !started.startsWith('0001-') ? new Date(started).toISOString() : new Date(service.CreatedAt ?? Date.now()).toISOString(),
    ...(node ? { node: nodeName(node), nodeId: node.id } : {}),
  };
  if (view.lost) return { ...base, status: 'exited' };
  const reported = context.reportedExit;
  // Its exit was seen but its engine no longer answers (stopped with its node): exited, as reported.
  if (!container && reported !== undefined) return reported === null ? { ...base, status: 'exited' } : { ...base, status: 'exited', exitCode: reported };
  // A service whose task is not running yet counts as running: it is starting, not gone.
  if (!container || container.State.Running || container.State.Status === 'created') return { ...base, status: 'running' };
  return { ...base, status: 'exited', exitCode: container.State.ExitCode };
}
