import type { Writable } from 'node:stream';

import type Docker from 'dockerode';

import { createContainerEnvironment, createHostEnvironment } from '@paas/builder';
import type { BuildEnvironment } from '@paas/builder';
import type { AppUser, Sandbox } from '@paas/core';
import { STACK, ensureStackImage, inspectStackImage } from '@paas/stack';

import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export type BuildEnvironmentSource = (output: Writable, app: string) => Promise<{ environment: BuildEnvironment; stack: string }>;

/**
 * Which engine runs processes and builds: Docker when asked for or when one answers.
 * dockerode (with its SSH and protobuf dependencies, some 20 MB resident) is loaded only
 * then: a paasd on the local runtime never needs it.
 */
export async function chooseEngine(config: Pick<Config, 'runtime'>, logger: Logger): Promise<Docker | undefined> {
  if (config.runtime === 'local') return undefined;
  const { default: DockerClient } = await import('dockerode');
  const docker = new DockerClient();
  try {
    await docker.ping();
    return docker;
  } catch (error) {
    if (config.runtime === 'auto') {
      logger.info({ reason: (error as Error).message }, 'no docker engine reachable; using the local runtime');
      return undefined;
    }
    throw new Error(`PAAS_RUNTIME=${config.runtime} but no Docker engine answers (${(error as Error).message}): start dockerd or set DOCKER_HOST.`);
  }
}

/**
 * Builds run in containers of the stack image when Docker is in use (made from Debian's
 * archive on first need), else as host processes.
 */
export function buildEnvironmentFor(options: {
  docker: Docker | undefined;
  stackImage: string | undefined;
  workDir: string;
  /** The installation's label value: a restarted paasd removes its own leftover build containers, not others'. */
  instance: string;
  logger: Logger;
  /** Host builds only: each app's build steps run as its user (and in the sandbox). */
  userOf?: (app: string) => AppUser;
  sandbox?: Sandbox;
}): BuildEnvironmentSource {
  if (!options.docker) {
    const { userOf, sandbox } = options;
    return async (_output, app) => ({ environment: createHostEnvironment({ user: userOf?.(app), sandbox }), stack: STACK });
  }
  const docker = options.docker;
  let ready: Promise<string> | undefined;
  return async (output) => {
    const image = options.stackImage ?? 'paas/stack:bookworm';
    if (!ready) {
      ready = (async () => {
        if (!(await inspectStackImage(docker, image))) {
          output.write(`-----> Making the stack image ${image} from Debian's archive (first build only, a few minutes)\n`);
        }
        await ensureStackImage({ docker, image, workDir: options.workDir, onLine: (line) => options.logger.debug({ line }, 'stack image') });
        return image;
      })();
      // A failed attempt is retried by the next build rather than remembered.
      ready.catch(() => (ready = undefined));
    }
    const built = await ready;
    return { environment: createContainerEnvironment({ docker, image: built, labels: { 'paas.stack': built, 'paas.instance': options.instance } }), stack: STACK };
  };
}
