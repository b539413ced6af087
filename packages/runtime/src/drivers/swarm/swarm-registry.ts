import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import type Docker from 'dockerode';

import { followBuild } from '../docker/docker-image.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import { TAR_END, tarHeader, tarPadding } from '../shared/tar-format.js';
import { type RegistryAccess, REGISTRY_USER, registryRequest } from './swarm-registry-http.js';

export type { RegistryAccess } from './swarm-registry-http.js';

/**
 * Debian's `docker-registry` (Distribution 2.8) serving slug images to every node. It
 * listens on the manager's swarm address only (`REGISTRY_HTTP_ADDR`, set by the service),
 * over TLS when the service carries a certificate (`REGISTRY_HTTP_TLS_*`, Swarm secrets),
 * and asks for a password when the service carries one (the start script below). `delete: enabled` lets the disk
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

/** Where the service's Swarm secrets (the password, the certificate and its key) are mounted in the registry's container. */
export const REGISTRY_PASSWORD_FILE = '/run/secrets/paas-registry-password';
const REGISTRY_CERTIFICATE_FILE = '/run/secrets/paas-registry-certificate';
const REGISTRY_KEY_FILE = '/run/secrets/paas-registry-key';

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

/** What the Engine API takes as `X-Registry-Auth` for pushes, pulls and services. */
export function authConfigOf(access: RegistryAccess): Docker.AuthConfig {
  return access.password === undefined
    ? { serveraddress: access.address }
    : { username: REGISTRY_USER, password: access.password, serveraddress: access.address };
}

export interface RegistryServiceOptions {
  readonly image: string;
  readonly access: RegistryAccess;
  /** The node whose address that is, when the manager lists one (else: a manager). */
  readonly node: string | undefined;
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The registry's certificate and key (PEM), signed by `access.ca`: it then speaks TLS only. */
  readonly tls?: { readonly certificate: string; readonly key: string } | undefined;
}

interface MountedSecret {
  readonly SecretID: string;
  readonly SecretName: string;
  readonly File: { Name: string; UID: string; GID: string; Mode: number };
}

/** One of the registry's secrets, named by what it holds and its hash (secrets cannot change): made unless there. */
async function ensureSecret(manager: Docker, options: RegistryServiceOptions, kind: string, data: string, file: string): Promise<MountedSecret> {
  const name = `${registryServiceName(options.instance)}-${kind}-${createHash('sha256').update(data).digest('hex').slice(0, 12)}`;
  const find = async (): Promise<string | undefined> => (await manager.listSecrets({ filters: { name: [name] } })).find((secret) => secret.Spec?.Name === name)?.ID;
  let id = await find();
  if (id === undefined) {
    await manager.createSecret({ Name: name, Labels: { ...options.labels }, Data: Buffer.from(data).toString('base64') }).catch((error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 409) throw error; // made meanwhile
    });
    id = await find();
  }
  if (id === undefined) throw new Error(`The registry's secret ${name} was made but is not listed.`);
  return { SecretID: id, SecretName: name, File: { Name: file.split('/').pop() ?? '', UID: '0', GID: '0', Mode: 0o400 } };
}

/** The registry's secrets its service no longer mounts (an older password or certificate): removed, unless still in use. */
async function removeOldSecrets(manager: Docker, options: RegistryServiceOptions, kept: readonly MountedSecret[]): Promise<void> {
  const prefix = `${registryServiceName(options.instance)}-`;
  const keep = new Set(kept.map((secret) => secret.SecretID));
  for (const secret of await manager.listSecrets({ filters: { label: Object.entries(options.labels).map(([key, value]) => `${key}=${value}`) } })) {
    if (keep.has(secret.ID) || !(secret.Spec?.Name ?? '').startsWith(prefix)) continue;
    // 400/409: still used by the old service's task on its way out; the next change removes it.
    await manager.getSecret(secret.ID).remove().catch(() => undefined);
  }
}

/**
 * The registry as a Swarm service pinned to the manager whose address it was given (its
 * volume, the images, stays on that node). It runs in the node's own network namespace
 * and listens on that one address (`REGISTRY_HTTP_ADDR`): the swarm's network reaches it,
 * the node's other interfaces (a public one) do not, and no port is published (a published
 * port listens on every address). With a password it asks for it, with a certificate it
 * speaks TLS only (Swarm secrets mounted in its container, never in its image or its spec's
 * environment). Swarm restarts it if it dies; it is not one of the platform's processes.
 */
export async function ensureRegistryService(manager: Docker, options: RegistryServiceOptions): Promise<void> {
  const name = registryServiceName(options.instance);
  const { address, password } = options.access;
  const secrets: MountedSecret[] = [];
  if (password !== undefined) secrets.push(await ensureSecret(manager, options, 'password', password, REGISTRY_PASSWORD_FILE));
  if (options.tls) {
    secrets.push(await ensureSecret(manager, options, 'certificate', options.tls.certificate, REGISTRY_CERTIFICATE_FILE));
    secrets.push(await ensureSecret(manager, options, 'key', options.tls.key, REGISTRY_KEY_FILE));
  }
  const env = [`REGISTRY_HTTP_ADDR=${address}`, ...(options.tls ? [`REGISTRY_HTTP_TLS_CERTIFICATE=${REGISTRY_CERTIFICATE_FILE}`, `REGISTRY_HTTP_TLS_KEY=${REGISTRY_KEY_FILE}`] : [])];
  const existing = (await manager.listServices({ filters: { name: [name] } })).find((service) => service.Spec?.Name === name);
  const template = existing?.Spec?.TaskTemplate;
  const container = template && 'ContainerSpec' in template ? template.ContainerSpec : undefined;
  const sameSecrets = (container?.Secrets ?? []).map((mounted) => mounted.SecretName).join() === secrets.map((secret) => secret.SecretName).join();
  if ((container?.Env ?? []).join('\n') === env.join('\n') && sameSecrets) return;
  // Made for another address, password or certificate, or by an older paasd (its port published
  // on every address, no auth, no TLS): made again. Its volume, the slugs, stays.
  if (existing) await manager.getService(existing.ID).remove();
  await manager
    .createService({
      Name: name,
      Labels: { ...options.labels },
      TaskTemplate: {
        ContainerSpec: {
          Image: options.image,
          Labels: { ...options.labels },
          Env: env,
          Mounts: [{ Type: 'volume', Source: name, Target: '/var/lib/docker-registry' }],
          ...(secrets.length > 0 ? { Secrets: secrets } : {}),
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
  await removeOldSecrets(manager, options, secrets);
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
    const answer = await registryRequest(access, 'GET', '/v2/', {}, 2000);
    if (answer?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`The slug registry at ${access.address} did not answer within ${String(timeoutMs / 1000)} s (status ${String(answer?.status ?? 'none')}).`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const manifestPath = (repository: string, reference: string): string => `/v2/${repository}/manifests/${encodeURIComponent(reference)}`;

/** Has the registry this reference (a manifest for its tag)? Asked by paasd itself. */
export async function registryHas(access: RegistryAccess, repository: string, tag: string): Promise<boolean> {
  return (await registryRequest(access, 'HEAD', manifestPath(repository, tag), { Accept: MANIFEST_V2 }, 5000))?.status === 200;
}

/**
 * Removes a slug's manifest from the registry (the disk collector's part): its layers
 * are freed by the registry's garbage collection (`docker-registry garbage-collect`).
 */
export async function removeFromRegistry(access: RegistryAccess, repository: string, tag: string): Promise<boolean> {
  // A registry that does not answer keeps the manifest until the next collection: false, not an error.
  const head = await registryRequest(access, 'HEAD', manifestPath(repository, tag), { Accept: MANIFEST_V2 }, 5000);
  const digest = head?.header('docker-content-digest');
  if (head?.status !== 200 || !digest) return false;
  const removed = await registryRequest(access, 'DELETE', `/v2/${repository}/manifests/${digest}`, { Accept: MANIFEST_V2 }, 5000);
  return removed?.status === 202;
}
