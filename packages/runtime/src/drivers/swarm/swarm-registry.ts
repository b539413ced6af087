import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import type Docker from 'dockerode';

import { followBuild } from '../docker/docker-image.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import { TAR_END, tarHeader, tarPadding } from '../shared/tar-format.js';

/**
 * Debian's `docker-registry` (Distribution 2.8) serving slug images to every node. No
 * auth section: it listens on the manager's swarm address only (`REGISTRY_HTTP_ADDR`, set
 * by the service), and nodes trust it as an insecure registry. `delete: enabled` lets the
 * disk collector remove manifests; `garbage-collect` then frees their blobs.
 */
export const REGISTRY_CONFIG = [
  'version: 0.1',
  'log:',
  '  level: warn',
  'storage:',
  '  filesystem:',
  '    rootdirectory: /var/lib/docker-registry',
  '  delete:',
  '    enabled: true',
  'http:',
  '  addr: :5000',
  '',
].join('\n');

/** The registry image: the stack image with Debian's `docker-registry` and the config above. */
export function registryDockerfile(stackImage: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(stackImage)) throw new Error(`Invalid stack image name ${JSON.stringify(stackImage)}.`);
  return [
    `FROM ${stackImage}`,
    'USER root',
    'RUN apt-get update && apt-get install -y --no-install-recommends docker-registry && rm -rf /var/lib/apt/lists/*',
    'COPY registry.yml /etc/paas/registry.yml',
    'CMD ["docker-registry", "serve", "/etc/paas/registry.yml"]',
    '',
  ].join('\n');
}

/** `paas/registry:<16 hex>`, named by what it is made of, so a new stack makes a new one. */
export function registryImageName(stackImage: string): string {
  const hash = createHash('sha256').update(registryDockerfile(stackImage)).update(REGISTRY_CONFIG).digest('hex');
  return `paas/registry:${hash.slice(0, 16)}`;
}

function* registryContext(stackImage: string): Generator<Buffer> {
  for (const [name, content] of [
    ['Dockerfile', registryDockerfile(stackImage)],
    ['registry.yml', REGISTRY_CONFIG],
  ] as const) {
    const data = Buffer.from(content, 'utf8');
    yield tarHeader({ name, type: 'file', size: data.length });
    yield Buffer.concat([data, tarPadding(data.length)]);
  }
  yield TAR_END;
}

/** Makes the registry image on an engine (one that reaches Debian's archive) unless it is there. */
export async function ensureRegistryImage(docker: Docker, stackImage: string, logger: DriverLogger): Promise<string> {
  const image = registryImageName(stackImage);
  const found = await docker
    .getImage(image)
    .inspect()
    .then(() => true, () => false);
  if (found) return image;
  logger.info({ image }, 'building registry image');
  const progress = await docker.buildImage(Readable.from(registryContext(stackImage), { objectMode: false }), { t: image, rm: true, forcerm: true });
  await followBuild(docker, progress, logger);
  return image;
}

/** The registry's service (and its volume) of one installation. */
export const registryServiceName = (instance: string): string => `paas-registry-${instance}`;

export interface RegistryServiceOptions {
  readonly image: string;
  /** `host:port`: the manager's swarm address, where the registry listens (that address only). */
  readonly address: string;
  /** The node whose address that is, when the manager lists one (else: a manager). */
  readonly node: string | undefined;
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The registry as a Swarm service pinned to the manager whose address it was given (its
 * volume, the images, stays on that node). It runs in the node's own network namespace
 * and listens on that one address (`REGISTRY_HTTP_ADDR`): the swarm's network reaches it,
 * the node's other interfaces (a public one) do not, and no port is published (a published
 * port listens on every address). Swarm restarts it if it dies; it is not one of the
 * platform's processes.
 */
export async function ensureRegistryService(manager: Docker, options: RegistryServiceOptions): Promise<void> {
  const name = registryServiceName(options.instance);
  const existing = (await manager.listServices({ filters: { name: [name] } })).find((service) => service.Spec?.Name === name);
  const listensOn = `REGISTRY_HTTP_ADDR=${options.address}`;
  if (existing?.Spec?.TaskTemplate && 'ContainerSpec' in existing.Spec.TaskTemplate && existing.Spec.TaskTemplate.ContainerSpec?.Env?.includes(listensOn)) return;
  // Made for another address, or by an older paasd with its port published on every address:
  // made again. Its volume, the slugs, stays.
  if (existing) await manager.getService(existing.ID).remove();
  await manager
    .createService({
      Name: name,
      Labels: { ...options.labels },
      TaskTemplate: {
        ContainerSpec: {
          Image: options.image,
          Labels: { ...options.labels },
          Env: [`REGISTRY_HTTP_ADDR=${options.address}`],
          Mounts: [{ Type: 'volume', Source: name, Target: '/var/lib/docker-registry' }],
        },
        Placement: { Constraints: [options.node === undefined ? 'node.role==manager' : `node.id==${options.node}`] },
        RestartPolicy: { Condition: 'any', Delay: 1_000_000_000 },
        Networks: [{ Target: 'host' }],
      },
      Mode: { Replicated: { Replicas: 1 } },
    })
    .catch((error: unknown) => {
      // 409: another driver made it meanwhile.
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    });
}

/** Tags a slug image for the registry and pushes it; returns the reference nodes pull. */
export async function pushToRegistry(docker: Docker, image: string, registry: string, logger: DriverLogger): Promise<string> {
  const [repository, tag] = image.split(':') as [string, string];
  const reference = `${registry}/${repository}:${tag}`;
  await docker.getImage(image).tag({ repo: `${registry}/${repository}`, tag });
  // The engine wants an auth header even for a registry without auth.
  const progress = (await docker.getImage(reference).push({ authconfig: { serveraddress: registry } }));
  await followBuild(docker, progress, logger);
  return reference;
}

/** Pulls a registry reference on a node's engine unless the node has it (one-offs; Swarm pulls for services itself). */
export async function pullOnNode(engine: Docker, reference: string, registry: string, logger: DriverLogger): Promise<void> {
  const present = await engine
    .getImage(reference)
    .inspect()
    .then(() => true, () => false);
  if (present) return;
  const progress = await engine.pull(reference, { authconfig: { serveraddress: registry } });
  await followBuild(engine, progress, logger);
}

/** Waits until the registry answers (its service just made, its task being scheduled). */
export async function waitForRegistry(registry: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (response?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`The slug registry at ${registry} did not answer within ${String(timeoutMs / 1000)} s (status ${String(response?.status ?? 'none')}).`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Has the registry this reference (a manifest for its tag)? Asked over HTTP by the manager's client side. */
export async function registryHas(registry: string, repository: string, tag: string): Promise<boolean> {
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${encodeURIComponent(tag)}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  return response?.status === 200;
}

/**
 * Removes a slug's manifest from the registry (the disk collector's part): its layers
 * are freed by the registry's garbage collection (`docker-registry garbage-collect`).
 */
export async function removeFromRegistry(registry: string, repository: string, tag: string): Promise<boolean> {
  const accept = { Accept: 'application/vnd.docker.distribution.manifest.v2+json' };
  // A registry that does not answer keeps the manifest until the next collection: false, not an error.
  const head = await fetch(`http://${registry}/v2/${repository}/manifests/${encodeURIComponent(tag)}`, { method: 'HEAD', headers: accept, signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  const digest = head?.headers.get('docker-content-digest');
  if (head?.status !== 200 || !digest) return false;
  const removed = await fetch(`http://${registry}/v2/${repository}/manifests/${digest}`, { method: 'DELETE', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  return removed?.status === 202;
}
