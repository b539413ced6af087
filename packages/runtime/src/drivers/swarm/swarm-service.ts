import { randomBytes } from 'node:crypto';

import type Docker from 'dockerode';

import { invalidParams } from '@paas/core';

import type { ProcessSpec } from '../../driver.js';
import { profileWrapperArgs } from '../shared/profile-wrapper.js';
import { processName } from '../shared/process-spec.js';

/** Swarm's own label on a task's container: the service it runs for. */
export const SERVICE_ID_LABEL = 'com.docker.swarm.service.id';

/**
 * Swarm's engine starts a task's container itself, so nobody can attach before its first
 * line. The process waits on its stdin for one line from the driver that follows its
 * output, then runs with stdin from /dev/null, as the Docker driver's containers do. At
 * EOF (nobody will ever write) it goes on rather than hang.
 */
export const GATE = 'read -r _ || true; exec "$@" </dev/null';

/** `paas-<app>-<type>-<index>-r<release>-<6 hex>`, cut to Swarm's 63 characters (a DNS label). */
export function serviceName(spec: Pick<ProcessSpec, 'app' | 'type' | 'index' | 'release'>): string {
  const readable = `${spec.app}-${spec.type}-${String(spec.index)}-r${String(spec.release)}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 51).replace(/-+$/, '');
  return `paas-${readable}-${randomBytes(3).toString('hex')}`;
}

export interface ServiceOptions {
  readonly image: string;
  readonly network: string;
  /** The port the process listens on (`$PORT`). */
  readonly port: number;
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly pidsLimit: number;
  /** Swarm's grace when it stops a task itself (a removed service); stop() gives its own first. */
  readonly graceMs: number;
  /**
   * Publish the process's port on the node it runs on (mode `host`, a port the node picks):
   * the router then reaches it at the node's address, from any host that reaches the node.
   * Not the routing mesh, which hides client addresses (and needs IPVS in the kernel).
   */
  readonly publishOnNode: boolean;
  /** Swarm placement constraints (`node.labels.tier==web`). */
  readonly constraints: readonly string[];
}

/**
 * One service per process, one replica, never restarted by Swarm: the platform's crash
 * backoff decides about restarts, and its convergence plan about replacements, as with
 * the other drivers. The labels go on the service and on its task's container, which is
 * what the event stream and the router's address come from.
 */
export function serviceSpec(spec: ProcessSpec, options: ServiceOptions): Docker.CreateServiceOptions {
  return {
    Name: serviceName(spec),
    Labels: { ...options.labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: options.image,
        Command: ['bash', '-c', GATE, 'gate', 'bash', ...profileWrapperArgs(spec.command)],
        Env: [...options.env],
        Dir: '/app',
        Labels: { ...options.labels },
        OpenStdin: true,
        Init: true, // docker-init as PID 1: forwards signals, reaps orphans
        StopGracePeriod: options.graceMs * 1_000_000,
        Hostname: processName(spec),
      },
      Resources: {
        // Swarm has no MemorySwap: on a host with swap a process may use some before its kill.
        Limits: { MemoryBytes: Math.round(spec.memoryMb * 1024 * 1024), Pids: options.pidsLimit },
      },
      RestartPolicy: { Condition: 'none' },
      ...(options.constraints.length > 0 ? { Placement: { Constraints: [...options.constraints] } } : {}),
      Networks: [{ Target: options.network }],
      LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '2' } },
    },
    Mode: { Replicated: { Replicas: 1 } },
    ...(options.publishOnNode ? { EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: options.port, PublishMode: 'host' }] } } : {}),
  };
}

/** The config var that pins a process type to nodes by label: `PAAS_PLACEMENT_WEB=tier=front,zone=a`. */
export function placementVar(type: string): string {
  return `PAAS_PLACEMENT_${type.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const LABEL_PAIR = /^([A-Za-z0-9][A-Za-z0-9._-]*)=([A-Za-z0-9._-]+)$/;

/**
 * Swarm placement constraints for a process, from its type's `PAAS_PLACEMENT_<TYPE>` config
 * var: each `label=value` must match the node's label (`docker node update --label-add`).
 * A config var is what a user sets per app already, and a change makes a new release, so
 * pinning rolls out like any other change.
 */
export function placementOf(spec: Pick<ProcessSpec, 'type' | 'env'>): string[] {
  const name = placementVar(spec.type);
  const value = spec.env[name]?.trim();
  if (!value) return [];
  return value.split(',').map((pair) => {
    const match = LABEL_PAIR.exec(pair.trim());
    if (!match) throw invalidParams(`${name} must be label=value pairs separated by commas (like tier=front,zone=a); got ${JSON.stringify(pair)}.`);
    return `node.labels.${match[1] ?? ''}==${match[2] ?? ''}`;
  });
}
