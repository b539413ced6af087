import { Module, createRequire } from 'node:module';

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
 * dockerode without ssh2. docker-modem loads ssh2 as it loads, for `ssh://` engines, which
 * paasd never reaches (config.ts accepts a socket or plain TCP only); and ssh2 instantiates
 * a WebAssembly Poly1305 with a 16 MB memory as it loads, about 14 MB of resident memory
 * for nothing. An empty module stands in for it in the CommonJS cache docker-modem loads
 * it from; its SSH code is only reached for `ssh://` hosts.
 */
export async function importDockerode(): Promise<typeof Docker> {
  try {
    const fromDockerode = createRequire(createRequire(import.meta.url).resolve('dockerode'));
    const fromModem = createRequire(fromDockerode.resolve('docker-modem'));
    const ssh2 = fromModem.resolve('ssh2');
    if (fromModem.cache[ssh2] === undefined) {
      const stub = new Module(ssh2);
      stub.filename = ssh2;
      stub.loaded = true;
      fromModem.cache[ssh2] = stub;
    }
  } catch (error) {
    // A layout where ssh2 is not found by that path: dockerode then loads it as usual.
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
  }
  return (await import('dockerode')).default;
}

/**
 * A client of the engine `DOCKER_HOST` names, if one answers. dockerode (with its protobuf
 * dependencies) is loaded only then: a paasd on the local runtime never needs it.
 */
export async function connectEngine(config: Pick<Config, 'dockerHost'>): Promise<{ docker: Docker } | { unreachable: string }> {
  const DockerClient = await importDockerode();
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
