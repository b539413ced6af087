import type Docker from 'dockerode';

import type { DriverLogger } from '../shared/driver-logger.js';
import type { NodeEngines, SwarmNode } from './swarm-nodes.js';
import { type PerNode, perNodeOnce } from './swarm-per-node.js';
import type { RegistryAccess } from './swarm-registry-http.js';
import { trustRegistryCa } from './swarm-registry-trust.js';
import { ensureRegistryImage, ensureRegistryService, pushToRegistry, registryHas, registryServiceName, waitForRegistry } from './swarm-registry.js';
import { removeSlugCopies } from './swarm-slug-copies.js';

/** The registry every node pulls slug images from, as the Swarm driver is given it. */
export interface SlugRegistryOptions extends RegistryAccess {
  /**
   * The driver runs the registry itself, as a service on a manager, from an image it
   * makes on the manager's engine from the stack image (Debian's `docker-registry`).
   */
  readonly run?: boolean;
  /**
   * The registry's certificate for its address and the key (PEM), signed by `ca`: the registry
   * then speaks TLS only, and each node's engine is made to trust `ca` for its address.
   */
  readonly tls?: { readonly certificate: string; readonly key: string };
}

export interface SlugRegistry {
  /** A slug image of the manager's engine as every node pulls it: pushed unless the registry has it. */
  referenceOf(image: string): Promise<string>;
  /** Removes collected slugs' copies from the registry and the nodes (after pushes under way). */
  removeCopies(images: readonly string[]): Promise<void>;
  /** Nodes seen for the first time (joined, or back) are made to trust the registry's CA. */
  visit(known: ReadonlyMap<string, SwarmNode>, unreachable: ReadonlySet<string>): Promise<void>;
}

export interface SlugRegistryContext {
  readonly manager: Docker;
  readonly nodes: NodeEngines;
  readonly stackImage: string;
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly startTimeoutMs: number;
  readonly logger: DriverLogger;
}

export function createSlugRegistry(access: SlugRegistryOptions, context: SlugRegistryContext): SlugRegistry {
  const { manager, nodes, logger, instance } = context;
  let ready: Promise<void> | undefined;
  // Pushes and the registry's garbage collection take turns: a collection deletes the blobs of a push in flight.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const result = turn.then(work);
    turn = result.catch(() => undefined);
    return result;
  };
  const { ca } = access;
  const trust: PerNode | undefined =
    ca === undefined || !access.run
      ? undefined
      : perNodeOnce({ nodes, what: "trusting the slug registry's CA", logger, work: (engine) => trustRegistryCa(engine, { address: access.address, ca }, context.labels, logger) });

  const ensure = (): Promise<void> => {
    if (!access.run) return Promise.resolve();
    const host = access.address.slice(0, access.address.lastIndexOf(':'));
    ready ??= (async () => {
      const [image, known, unreachable] = await Promise.all([ensureRegistryImage(manager, context.stackImage, logger), nodes.nodes(), nodes.unreachable()]);
      const node = [...known.values()].find((candidate) => candidate.address === host)?.id;
      await ensureRegistryService(manager, { image, access, node, instance, labels: context.labels, tls: access.tls });
      // Before the first push (the manager's engine) and pull (every other node's).
      await trust?.visit(known, unreachable);
      await waitForRegistry(access, context.startTimeoutMs);
    })().catch((error: unknown) => {
      ready = undefined; // tried again by the next start
      throw error;
    });
    return ready;
  };

  return {
    async referenceOf(image) {
      await ensure();
      const [repository, tag] = image.split(':') as [string, string];
      const reference = `${access.address}/${image}`;
      if (await registryHas(access, repository, tag)) return reference;
      return inTurn(async () => ((await registryHas(access, repository, tag)) ? reference : pushToRegistry(manager, image, access, logger)));
    },

    async removeCopies(images) {
      if (images.length === 0) return;
      await inTurn(() => removeSlugCopies({ manager, nodes, registry: access, registryService: registryServiceName(instance), logger }, images)).catch((error: unknown) =>
        logger.warn({ err: error }, 'slug copies not removed; the next collection tries again'),
      );
    },

    async visit(known, unreachable) {
      await trust?.visit(known, unreachable);
    },
  };
}
