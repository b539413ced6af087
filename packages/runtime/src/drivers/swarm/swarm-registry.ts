import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import type Docker from 'dockerode';

import { followBuild } from '../docker/docker-image.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import { TAR_END, tarHeader, tarPadding } from '../shared/tar-format.js';

/**
 * Debian's `docker-registry` (Distribution 2.8) serving slug images to every node. It
 * listens on the manager's swarm address only (`REGISTRY_HTTP_ADDR`, set by the service),
 * over plain HTTP (nodes trust it as an insecure registry), and asks for a password when
 * the service carries one (the start script below). `delete: enabled` lets the disk
 * collector remove manifests; `garbage-collect` then frees their blobs.
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

/** Where the service's Swarm secret, the password, is mounted in the registry's container. */
export const REGISTRY_PASSWORD_FILE = '/run/secrets/paas-registry-password';
/** The one user of the registry: paasd pushes and every node pulls as it. */
export const REGISTRY_USER = 'paas';

/**
 * Starts the registry, with htpasswd auth when the password secret is mounted (Distribution
 * takes only bcrypt hashes; `htpasswd -B` makes one from the password on stdin, never argv).
 */
export const REGISTRY_START = [
  '#!/bin/bash',
  'set -euo pipefail',
  `if [ -f ${REGISTRY_PASSWORD_FILE} ]; then`,
  `  htpasswd -Bin ${REGISTRY_USER} < ${REGISTRY_PASSWORD_FILE} > /tmp/htpasswd`,
  '  export REGISTRY_AUTH=htpasswd REGISTRY_AUTH_HTPASSWD_REALM=paas REGISTRY_AUTH_HTPASSWD_PATH=/tmp/htpasswd',
  'fi',
  'exec docker-registry serve /etc/paas/registry.yml',
  '',
].join('\n');

/** The registry image: the stack image with Debian's `docker-registry`, `htpasswd` and the files above. */
export function registryDockerfile(stackImage: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(stackImage)) throw new Error(`Invalid stack image name ${JSON.stringify(stackImage)}.`);
  return [
    `FROM ${stackImage}`,
    'USER root',
    'RUN apt-get update && apt-get install -y --no-install-recommends docker-registry apache2-utils && rm -rf /var/lib/apt/lists/*',
    'COPY registry.yml /etc/paas/registry.yml',
    'COPY start-registry /usr/local/bin/start-registry',
    'RUN chmod 755 /usr/local/bin/start-registry',
    'CMD ["/usr/local/bin/start-registry"]',
    '',
  ].join('\n');
}

/** `paas/registry:<16 hex>`, named by what it is made of, so a new stack makes a new one. */
export function registryImageName(stackImage: string): string {
  const hash = createHash('sha256').update(registryDockerfile(stackImage)).update(REGISTRY_CONFIG).update(REGISTRY_START).digest('hex');
  return `paas/registry:${hash.slice(0, 16)}`;
}

function* registryContext(stackImage: string): Generator<Buffer> {
  for (const [name, content] of [
    ['Dockerfile', registryDockerfile(stackImage)],
    ['registry.yml', REGISTRY_CONFIG],
    ['start-registry', REGISTRY_START],
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

/** Where the registry is and the password it asks for (none: it asks for none). */
export interface RegistryAccess {
  /** `host:port`, the manager's swarm address. */
  readonly address: string;
  readonly password?: string | undefined;
}

/** What the Engine API takes as `X-Registry-Auth` for pushes, pulls and services. */
export function authConfigOf(access: RegistryAccess): Docker.AuthConfig {
  return access.password === undefined
    ? { serveraddress: access.address }
    : { username: REGISTRY_USER, password: access.password, serveraddress: access.address };
}

function authHeaders(access: RegistryAccess): Record<string, string> {
  return access.password === undefined ? {} : { Authorization: `Basic ${Buffer.from(`${REGISTRY_USER}:${access.password}`).toString('base64')}` };
}

export interface RegistryServiceOptions {
  readonly image: string;
  readonly access: RegistryAccess;
  /** The node whose address that is, when the manager lists one (else: a manager). */
  readonly node: string | undefined;
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The password as a Swarm secret, named by its hash (secrets cannot change): made unless there. */
async function ensurePasswordSecret(manager: Docker, options: RegistryServiceOptions, password: string): Promise<{ SecretID: string; SecretName: string }> {
  const name = `${registryServiceName(options.instance)}-${createHash('sha256').update(password).digest('hex').slice(0, 12)}`;
  const find = async (): Promise<string | undefined> => (await manager.listSecrets({ filters: { name: [name] } })).find((secret) => secret.Spec?.Name === name)?.ID;
  let id = await find();
  if (id === undefined) {
    await manager.createSecret({ Name: name, Labels: { ...options.labels }, Data: Buffer.from(password).toString('base64') }).catch((error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 409) throw error; // made meanwhile
    });
    id = await find();
  }
  if (id === undefined) throw new Error(`The registry's password secret ${name} was made but is not listed.`);
  return { SecretID: id, SecretName: name };
}

/**
 * The registry as a Swarm service pinned to the manager whose address it was given (its
 * volume, the images, stays on that node). It runs in the node's own network namespace
 * and listens on that one address (`REGISTRY_HTTP_ADDR`): the swarm's network reaches it,
 * the node's other interfaces (a public one) do not, and no port is published (a published
 * port listens on every address). With a password it asks for it (a Swarm secret mounted in
 * its container). Swarm restarts it if it dies; it is not one of the platform's processes.
 */
export async function ensureRegistryService(manager: Docker, options: RegistryServiceOptions): Promise<void> {
  const name = registryServiceName(options.instance);
  const { address, password } = options.access;
  const secret = password === undefined ? undefined : await ensurePasswordSecret(manager, options, password);
  const existing = (await manager.listServices({ filters: { name: [name] } })).find((service) => service.Spec?.Name === name);
  const template = existing?.Spec?.TaskTemplate;
  const container = template && 'ContainerSpec' in template ? template.ContainerSpec : undefined;
  const sameSecret = (container?.Secrets ?? []).map((mounted) => mounted.SecretName).join() === (secret?.SecretName ?? '');
  if (container?.Env?.includes(`REGISTRY_HTTP_ADDR=${address}`) && sameSecret) return;
  // Made for another address or password, or by an older paasd (its port published on every
  // address, no auth): made again. Its volume, the slugs, stays.
  if (existing) await manager.getService(existing.ID).remove();
  await manager
    .createService({
      Name: name,
      Labels: { ...options.labels },
      TaskTemplate: {
        ContainerSpec: {
          Image: options.image,
          Labels: { ...options.labels },
          Env: [`REGISTRY_HTTP_ADDR=${address}`],
          Mounts: [{ Type: 'volume', Source: name, Target: '/var/lib/docker-registry' }],
          ...(secret ? { Secrets: [{ ...secret, File: { Name: REGISTRY_PASSWORD_FILE.split('/').pop() ?? '', UID: '0', GID: '0', Mode: 0o400 } }] } : {}),
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
export async function pushToRegistry(docker: Docker, image: string, access: RegistryAccess, logger: DriverLogger): Promise<string> {
  const [repository, tag] = image.split(':') as [string, string];
  const reference = `${access.address}/${repository}:${tag}`;
  await docker.getImage(image).tag({ repo: `${access.address}/${repository}`, tag });
  // The engine wants an auth header even for a registry without auth.
  const progress = await docker.getImage(reference).push({ authconfig: authConfigOf(access) });
  await followBuild(docker, progress, logger);
  return reference;
}

/** Pulls a registry reference on a node's engine unless the node has it (one-offs; Swarm pulls for services itself). */
export async function pullOnNode(engine: Docker, reference: string, access: RegistryAccess, logger: DriverLogger): Promise<void> {
  const present = await engine
    .getImage(reference)
    .inspect()
    .then(() => true, () => false);
  if (present) return;
  const progress = await engine.pull(reference, { authconfig: authConfigOf(access) });
  await followBuild(engine, progress, logger);
}

/** Waits until the registry answers, and takes the password (its service just made, its task being scheduled). */
export async function waitForRegistry(access: RegistryAccess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`http://${access.address}/v2/`, { headers: authHeaders(access), signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (response?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`The slug registry at ${access.address} did not answer within ${String(timeoutMs / 1000)} s (status ${String(response?.status ?? 'none')}).`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/** Has the registry this reference (a manifest for its tag)? Asked over HTTP by the manager's client side. */
export async function registryHas(access: RegistryAccess, repository: string, tag: string): Promise<boolean> {
  const response = await fetch(`http://${access.address}/v2/${repository}/manifests/${encodeURIComponent(tag)}`, {
    method: 'HEAD',
    headers: { Accept: MANIFEST_V2, ...authHeaders(access) },
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  return response?.status === 200;
}

/**
 * Removes a slug's manifest from the registry (the disk collector's part): its layers
 * are freed by the registry's garbage collection (`docker-registry garbage-collect`).
 */
export async function removeFromRegistry(access: RegistryAccess, repository: string, tag: string): Promise<boolean> {
  const headers = { Accept: MANIFEST_V2, ...authHeaders(access) };
  // A registry that does not answer keeps the manifest until the next collection: false, not an error.
  const head = await fetch(`http://${access.address}/v2/${repository}/manifests/${encodeURIComponent(tag)}`, { method: 'HEAD', headers, signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  const digest = head?.headers.get('docker-content-digest');
  if (head?.status !== 200 || !digest) return false;
  const removed = await fetch(`http://${access.address}/v2/${repository}/manifests/${digest}`, { method: 'DELETE', headers: authHeaders(access), signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  return removed?.status === 202;
}
