import { PassThrough } from 'node:stream';

import type Docker from 'dockerode';

import type { DriverLogger } from '../shared/driver-logger.js';
import type { NodeEngines } from './swarm-nodes.js';
import { type RegistryAccess, removeFromRegistry } from './swarm-registry.js';
import { serviceTasks } from './swarm-tasks.js';

/** The registry's own collector: blobs no manifest refers to go, and manifests no tag names (`--delete-untagged`). */
export const GARBAGE_COLLECT = ['docker-registry', 'garbage-collect', '--delete-untagged', '/etc/paas/registry.yml'];

export interface SlugCopiesOptions {
  readonly manager: Docker;
  readonly nodes: NodeEngines;
  readonly registry: RegistryAccess;
  /** The registry's service (`paas-registry-<instance>`). */
  readonly registryService: string;
  readonly logger: DriverLogger;
}

/** What a removal did, for the log (and the multi-node test's figures). */
export interface SlugCopiesRemoved {
  readonly manifests: number;
  /** Node images removed, and kept because a container still uses them. */
  readonly nodeImages: number;
  readonly nodeImagesInUse: number;
  readonly pruneMs: number;
  /** The registry's garbage collection: how long, and what it said it deleted. */
  readonly collectMs: number;
  readonly blobsDeleted: number;
}

/** Runs a command in a container and returns its exit code and output (both streams). */
export async function execIn(engine: Docker, container: string, cmd: readonly string[]): Promise<{ code: number | null; output: string }> {
  const exec = await engine.getContainer(container).exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  engine.modem.demuxStream(stream, sink, sink);
  await new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  const { ExitCode } = await exec.inspect();
  return { code: ExitCode, output: Buffer.concat(chunks).toString('utf8') };
}

/**
 * Removes what Swarm's runtime copied of slugs the disk collector let go: their manifests in
 * the registry, then the registry's garbage collection (which frees their blobs), and the
 * images nodes pulled, through each node's engine. An image a container still uses stays
 * (the engine refuses: 409) and goes with the next collection.
 *
 * The garbage collection runs in the registry's container while it serves: Distribution
 * deletes blobs a push in flight has uploaded but not yet referenced, so the caller holds
 * pushes back meanwhile (the driver's registry lock).
 */
export async function removeSlugCopies(options: SlugCopiesOptions, images: readonly string[]): Promise<SlugCopiesRemoved> {
  const { manager, nodes, registry, logger } = options;
  let manifests = 0;
  for (const image of images) {
    const [repository, tag] = image.split(':') as [string, string | undefined];
    if (tag !== undefined && (await removeFromRegistry(registry, repository, tag))) manifests += 1;
  }

  let started = Date.now();
  let nodeImages = 0;
  let nodeImagesInUse = 0;
  const known = await nodes.nodes();
  await Promise.all(
    [...known.values()].map(async (node) => {
      if (node.state !== 'ready' || !(await nodes.reachable(node))) return;
      const engine = await nodes.engineOf(node).catch(() => undefined);
      for (const image of images) {
        try {
          await engine?.getImage(`${registry.address}/${image}`).remove();
          nodeImages += 1;
        } catch (error) {
          const status = (error as { statusCode?: number }).statusCode;
          if (status === 409) nodeImagesInUse += 1;
          else if (status !== 404) logger.warn({ err: error, node: node.id, image }, 'slug image not removed from node');
        }
      }
    }),
  );
  const pruneMs = Date.now() - started;

  started = Date.now();
  let blobsDeleted = 0;
  // The name filter matches prefixes: the exact one.
  const service = (await manager.listServices({ filters: { name: [options.registryService] } })).find((found) => found.Spec?.Name === options.registryService);
  const task = service ? (await serviceTasks(manager, [service.ID])).get(service.ID) : undefined;
  const node = task ? known.get(task.node) : undefined;
  if (task?.container && node && manifests > 0) {
    const engine = await nodes.engineOf(node);
    const { code, output } = await execIn(engine, task.container, GARBAGE_COLLECT);
    if (code !== 0) logger.warn({ code, output: output.slice(-2000) }, 'registry garbage collection failed');
    // "blob eligible for deletion: sha256:…", one line per blob.
    blobsDeleted = output.split('\n').filter((line) => line.includes('blob eligible for deletion')).length;
  }
  const removed = { manifests, nodeImages, nodeImagesInUse, pruneMs, collectMs: Date.now() - started, blobsDeleted };
  logger.info({ images: images.length, ...removed }, 'slug copies removed');
  return removed;
}
