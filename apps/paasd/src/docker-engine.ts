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

/** An already-loaded module in `require`'s cache whose exports are `exports`: its file is then never run. */
function standIn(require: NodeJS.Require, path: string, exports: unknown): void {
  if (require.cache[path] !== undefined) return;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = exports;
  require.cache[path] = module;
}

/**
 * dockerode without the two parts paasd never reaches, which it loads as it loads and which
 * cost an idle paasd on Docker some 20 MB of resident memory: ssh2, which docker-modem needs
 * for `ssh://` engines (config.ts accepts a socket or plain TCP only) and which makes a
 * 16 MB WebAssembly memory for its Poly1305 at import; and the BuildKit session (gRPC and
 * protobuf, 1 MB of code), used only by `buildImage` with `version: '2'`, which paasd never
 * asks for. Stand-ins take their place in the CommonJS cache they are loaded from.
 */
export async function importDockerode(): Promise<typeof Docker> {
  try {
    const fromDockerode = createRequire(createRequire(import.meta.url).resolve('dockerode'));
    const fromModem = createRequire(fromDockerode.resolve('docker-modem'));
    standIn(fromModem, fromModem.resolve('ssh2'), {});
    standIn(fromDockerode, fromDockerode.resolve('./session'), () => {
      throw new Error('BuildKit sessions (buildImage with version "2") are not used by paasd');
    });
  } catch (error) {
    // A layout where they are not found by these paths: dockerode then loads them as usual.
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
