import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import type Docker from 'dockerode';

import { followBuild } from '../docker/docker-image.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import { TAR_END, tarHeader, tarPadding } from '../shared/tar-format.js';

/** Where an engine looks for the CA of a registry (`<dir>/<host:port>/ca.crt`), read at each pull and push. */
export const ENGINE_CERTS_DIR = '/etc/docker/certs.d';

/**
 * An image of one empty directory, imported through the node's engine: a node has no image to
 * make a container from before it trusts the registry (and cannot pull one from it before).
 * Nothing ever runs in it: the container only carries the bind mount the CA is copied into.
 */
const WRITER_IMAGE = 'paas/registry-trust:1';

function* archive(entries: readonly { name: string; data?: string }[]): Generator<Buffer> {
  for (const entry of entries) {
    if (entry.data === undefined) {
      yield tarHeader({ name: entry.name, type: 'directory' });
      continue;
    }
    const data = Buffer.from(entry.data, 'utf8');
    yield tarHeader({ name: entry.name, type: 'file', size: data.length });
    yield Buffer.concat([data, tarPadding(data.length)]);
  }
  yield TAR_END;
}

async function ensureWriterImage(engine: Docker, logger: DriverLogger): Promise<void> {
  const found = await engine
    .getImage(WRITER_IMAGE)
    .inspect()
    .then(() => true, () => false);
  if (found) return;
  const [repo, tag] = WRITER_IMAGE.split(':') as [string, string];
  const progress = await engine.importImage(Readable.from(archive([{ name: 'certs.d/' }])), { repo, tag });
  await followBuild(engine, progress, logger);
}

/**
 * Makes a node's engine trust the registry's CA: `ca.crt` written to
 * `/etc/docker/certs.d/<host:port>/` on the node's host, through its engine (the Engine API
 * writes no host file itself). A container of an empty image is created, never started, with
 * the host's certs dir bind-mounted (its parent: the `host:port` name's colon cannot be a bind
 * path), the file is copied into it, and the container removed.
 */
export async function trustRegistryCa(engine: Docker, registry: { address: string; ca: string }, labels: Readonly<Record<string, string>>, logger: DriverLogger): Promise<void> {
  await ensureWriterImage(engine, logger);
  const container = await engine.createContainer({
    name: `paas-registry-trust-${randomBytes(4).toString('hex')}`,
    Image: WRITER_IMAGE,
    Cmd: ['none'], // never started
    Labels: { ...labels },
    HostConfig: { Binds: [`${ENGINE_CERTS_DIR}:/certs.d`], NetworkMode: 'none' },
  });
  try {
    const files = archive([{ name: `${registry.address}/` }, { name: `${registry.address}/ca.crt`, data: registry.ca }]);
    await container.putArchive(Readable.from(files), { path: '/certs.d' });
  } finally {
    await container.remove({ force: true }).catch((error: unknown) => logger.warn({ err: error }, 'registry trust container not removed'));
  }
}
