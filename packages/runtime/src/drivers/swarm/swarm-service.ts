import { randomBytes } from 'node:crypto';

import type Docker from 'dockerode';

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
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly pidsLimit: number;
  /** Swarm's grace when it stops a task itself (a removed service); stop() gives its own first. */
  readonly graceMs: number;
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
      Networks: [{ Target: options.network }],
      LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '2' } },
    },
    Mode: { Replicated: { Replicas: 1 } },
  };
}
