import { createHash } from 'node:crypto';
import { join } from 'node:path';

import type Docker from 'dockerode';

import { createDockerDriver, createLocalDriver } from '@paas/runtime';
import type { DriverLogger, LocalDriverOptions, RuntimeDriver } from '@paas/runtime';
import { DEFAULT_STACK_IMAGE } from '@paas/stack';

import { appNetworkName } from './app-network.js';
import type { Config } from './config.js';

/** The Docker driver's installation label: one per data dir, so paasds sharing an engine keep apart. */
export function dockerInstanceOf(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
}

/**
 * The driver paasd runs processes with: Docker when an engine was chosen, else the local
 * one over `<dataDir>/local`. `npm stop -- --all` makes the same one to find what paasd started.
 * Containers join the installation's own network (made by paasd before it starts any),
 * where add-on containers are reached by name.
 */
export function createRuntimeDriver(
  config: Pick<Config, 'dataDir' | 'stackImage'>,
  docker: Docker | undefined,
  logger: DriverLogger,
  containment: Pick<LocalDriverOptions, 'userOf' | 'sandbox'> = {},
): RuntimeDriver {
  return docker
    ? createDockerDriver({ docker, stackImage: config.stackImage ?? DEFAULT_STACK_IMAGE, instance: dockerInstanceOf(config.dataDir), network: appNetworkName(dockerInstanceOf(config.dataDir)), logger })
    : createLocalDriver({ dataDir: join(config.dataDir, 'local'), logger, ...containment });
}
