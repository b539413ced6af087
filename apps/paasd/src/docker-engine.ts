import type Docker from 'dockerode';

import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** How dockerode reaches the engine named by `DOCKER_HOST` (checked in config.ts). */
export function dockerOptionsOf(dockerHost: string | undefined): Docker.DockerOptions {
  if (dockerHost === undefined) return { socketPath: '/var/run/docker.sock' };
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}

/**
 * A client of the engine `DOCKER_HOST` names, if one answers. dockerode (with its SSH and
 * protobuf dependencies, some 20 MB resident) is loaded only then: a paasd on the local
 * runtime never needs it.
 */
export async function connectEngine(config: Pick<Config, 'dockerHost'>): Promise<{ docker: Docker } | { unreachable: string }> {
  const { default: DockerClient } = await import('dockerode');
  const docker = new DockerClient(dockerOptionsOf(config.dockerHost));
  try {
    await docker.ping();
    return { docker };
  } catch (error) {
    return { unreachable: (error as Error).message };
  }
}

/**
 * The engine processes and builds use: none for `local`; for `auto` one if it answers;
 * for the runtimes that need one, an engine that answers or a start refused with the fix.
 */
export async function chooseEngine(config: Pick<Config, 'runtime' | 'dockerHost'>, logger: Logger): Promise<Docker | undefined> {
  if (config.runtime === 'local') return undefined;
  const found = await connectEngine(config);
  if ('docker' in found) {
    if (config.runtime === 'swarm') await assertSwarmManager(found.docker, config.dockerHost);
    return found.docker;
  }
  if (config.runtime === 'auto') {
    logger.info({ reason: found.unreachable }, 'no docker engine reachable; using the local runtime');
    return undefined;
  }
  throw new Error(`PAAS_RUNTIME=${config.runtime} but no Docker engine answers at ${config.dockerHost ?? 'unix:///var/run/docker.sock'} (${found.unreachable}): start dockerd or set DOCKER_HOST.`);
}

/** The Swarm runtime creates services: its engine must be a manager of a swarm. */
async function assertSwarmManager(docker: Docker, dockerHost: string | undefined): Promise<void> {
  const swarm = ((await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }).Swarm;
  if (swarm?.LocalNodeState === 'active' && swarm.ControlAvailable === true) return;
  const state = swarm?.LocalNodeState === 'active' ? 'a worker' : `not in a swarm (${swarm?.LocalNodeState ?? 'unknown'})`;
  throw new Error(
    `PAAS_RUNTIME=swarm but the engine at ${dockerHost ?? 'unix:///var/run/docker.sock'} is ${state}: run \`docker swarm init --advertise-addr ADDRESS\` on it, or set DOCKER_HOST to a manager's engine.`,
  );
}
