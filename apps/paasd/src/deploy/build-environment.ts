import type { Writable } from 'node:stream';

import type Docker from 'dockerode';

import { createContainerEnvironment, createHostEnvironment } from '@paas/builder';
import type { BuildEnvironment } from '@paas/builder';
import type { AppUser, Sandbox } from '@paas/core';
import { STACK, ensureStackImage, inspectStackImage } from '@paas/stack';

import type { Logger } from '../logger.js';

export type BuildEnvironmentSource = (output: Writable, app: string) => Promise<{ environment: BuildEnvironment; stack: string }>;

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
