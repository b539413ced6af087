import { createHash } from 'node:crypto';
import { join } from 'node:path';

import type Docker from 'dockerode';

import { createDockerDriver, createLocalDriver, createSwarmDriver } from '@paas/runtime';
import type { DriverLogger, LocalDriverOptions, NodeEngine, RuntimeDriver } from '@paas/runtime';
import { DEFAULT_STACK_IMAGE } from '@paas/stack';

import { type RegistryTls, ensureRegistryTls } from './certs/registry-certificate.js';
import type { Config } from './config.js';
import { dockerOptionsOf } from './docker-engine.js';
import { swarmRegistryPassword } from './swarm-registry-password.js';

/** The runtimes paasd can run processes on (`PAAS_RUNTIME` without `auto`). */
export type RuntimeName = Exclude<Config['runtime'], 'auto'>;

/** The Docker driver's installation label: one per data dir, so paasds sharing an engine keep apart. */
export function dockerInstanceOf(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
}

/** What a runtime's driver is made from. */
export interface RuntimeContext {
  readonly config: Pick<Config, 'dataDir' | 'stackImage'> & Partial<Pick<Config, 'swarm'>>;
  /** The engine `chooseEngine` connected to; the runtimes that need one are only chosen with it. */
  readonly docker: Docker | undefined;
  readonly logger: DriverLogger;
  /**
   * Docker and Swarm: the installation's own network (made by paasd before it starts any
   * process), where add-on containers are reached by name.
   */
  readonly network?: string;
  /** Local runtime only: each app's processes run as its user (and in the sandbox). */
  readonly containment?: Pick<LocalDriverOptions, 'userOf' | 'sandbox'>;
  /** Swarm with PAAS_SWARM_REGISTRY: the registry's certificate from the local CA (`registryTlsOf`). */
  readonly registryTls?: RegistryTls | undefined;
}

interface RuntimeEntry {
  create(context: RuntimeContext): RuntimeDriver;
}

function engineOf(name: RuntimeName, context: RuntimeContext): Docker {
  if (!context.docker) throw new Error(`PAAS_RUNTIME=${name} needs a Docker engine: start dockerd or set DOCKER_HOST.`);
  return context.docker;
}

/**
 * Each node's engine from PAAS_SWARM_NODE_ENGINES, by hostname or id (the driver reaches the
 * manager's own node through the manager's client when it is not listed). A client is made with the
 * manager's client's own class: dockerode is loaded only when an engine is used.
 */
function nodeEnginesOf(manager: Docker, engines: Readonly<Record<string, string>>): NodeEngine {
  const DockerClient = manager.constructor as new (options: Docker.DockerOptions) => Docker;
  const clients = new Map<string, Docker>();
  return (node) => {
    const url = engines[node.id] ?? engines[node.hostname];
    if (url === undefined) return undefined;
    const client = clients.get(url) ?? new DockerClient(dockerOptionsOf(url));
    clients.set(url, client);
    return client;
  };
}

const RUNTIMES: Readonly<Record<RuntimeName, RuntimeEntry>> = {
  local: {
    create: ({ config, logger, containment }) => createLocalDriver({ dataDir: join(config.dataDir, 'local'), logger, ...containment }),
  },
  docker: {
    create: (context) =>
      createDockerDriver({
        docker: engineOf('docker', context),
        stackImage: context.config.stackImage ?? DEFAULT_STACK_IMAGE,
        instance: dockerInstanceOf(context.config.dataDir),
        ...(context.network === undefined ? {} : { network: context.network }),
        logger: context.logger,
      }),
  },
  // One service per process on the swarm the engine manages; see docs/swarm.md for what a one-node swarm gives.
  swarm: {
    create: (context) => {
      const docker = engineOf('swarm', context);
      const swarm = context.config.swarm;
      const { registryTls } = context;
      // The registry is never made without TLS by mistake: its password and slugs would cross the network in the clear.
      if (swarm?.registry !== undefined && registryTls === undefined) throw new Error('The Swarm slug registry needs its certificate: give the driver registryTlsOf(config).');
      return createSwarmDriver({
        docker,
        stackImage: context.config.stackImage ?? DEFAULT_STACK_IMAGE,
        instance: dockerInstanceOf(context.config.dataDir),
        ...(context.network === undefined ? {} : { network: context.network }),
        ...(swarm === undefined ? {} : { reach: swarm.reach }),
        ...(swarm?.registry === undefined || registryTls === undefined
          ? {}
          : {
              registry: {
                address: swarm.registry,
                password: swarmRegistryPassword(context.config.dataDir),
                run: true,
                ca: registryTls.ca,
                tls: { certificate: registryTls.certificate, key: registryTls.key },
              },
            }),
        ...(swarm === undefined || Object.keys(swarm.nodeEngines).length === 0 ? {} : { nodeEngine: nodeEnginesOf(docker, swarm.nodeEngines) }),
        logger: context.logger,
      });
    },
  },
};

/** The Swarm slug registry's TLS material when paasd runs one (swarm with PAAS_SWARM_REGISTRY), issued by the local CA. */
export async function registryTlsOf(config: Pick<Config, 'dataDir' | 'domain'> & Partial<Pick<Config, 'swarm'>>, runtime: RuntimeName): Promise<RegistryTls | undefined> {
  return runtime === 'swarm' && config.swarm?.registry !== undefined ? ensureRegistryTls(config.dataDir, config.swarm.registry, config.domain) : undefined;
}

/** Which runtime `PAAS_RUNTIME` names once the engine is known: `auto` is Docker when one answers, else local. */
export function runtimeOf(runtime: Config['runtime'], docker: Docker | undefined): RuntimeName {
  if (runtime !== 'auto') return runtime;
  return docker ? 'docker' : 'local';
}

/** The driver of the named runtime; `npm stop -- --all` makes the same ones to find what paasd started. */
export function createRuntimeDriver(name: RuntimeName, context: RuntimeContext): RuntimeDriver {
  return RUNTIMES[name].create(context);
}
