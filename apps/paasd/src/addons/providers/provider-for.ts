import type Docker from 'dockerode';

import type { Logger } from '../../logger.js';
import type { AddonProvider, AddonServiceName } from '../provider.js';
import { createDockerProvider } from './docker/docker-provider.js';
import { createLocalProvider } from './local/local-provider.js';
import type { LocalProviderOptions } from './local/local-provider.js';

export interface ProviderChoice {
  readonly dataDir: string;
  readonly logger: Logger;
  /** Where the local provider finds PostgreSQL majors (`PAAS_ADDON_POSTGRESQL_ROOT`). */
  readonly postgresRoot: string;
  /** Set on the Docker runtime: add-ons then run in containers on the apps' network. */
  readonly docker?:
    | { readonly engine: Docker; readonly instance: string; readonly network: string; readonly stackImage: string; readonly memoryMb: Readonly<Record<AddonServiceName, number>> }
    | undefined;
  readonly onServerExit?: LocalProviderOptions['onServerExit'];
  /** Docker: an add-on's container was removed by hand and has been made again over its volume. */
  readonly onContainerRemade?: (instanceId: string) => void;
}

/**
 * The provider whose servers the apps can reach: on the Docker runtime, containers on the
 * apps' network (a host's loopback is out of a container's reach); else host processes.
 */
export function createAddonProvider(choice: ProviderChoice): AddonProvider {
  if (choice.docker) {
    const { engine, instance, network, stackImage, memoryMb } = choice.docker;
    const onServerExit = choice.onServerExit;
    return createDockerProvider({
      docker: engine,
      dataDir: choice.dataDir,
      instance,
      network,
      stackImage,
      memoryMb,
      logger: choice.logger,
      ...(choice.onContainerRemade ? { onContainerRemade: choice.onContainerRemade } : {}),
      ...(onServerExit ? { onServerExit: (id: string, detail: { code: number | null; signal: string | null; reason?: string }) => onServerExit(id, { ...detail, restartInMs: undefined }) } : {}),
    });
  }
  return createLocalProvider({ dataDir: choice.dataDir, logger: choice.logger, postgresRoot: choice.postgresRoot, ...(choice.onServerExit ? { onServerExit: choice.onServerExit } : {}) });
}
