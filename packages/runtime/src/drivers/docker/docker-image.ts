import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import type Docker from 'dockerode';

import type { SlugRef } from '../../driver.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import { TAR_END, type TarOwner, rewriteTarOwners, tarHeader, tarPadding } from '../shared/tar-format.js';

/** `paas/slug:<first 16 hex digits of the sha256>`: one image per slug, shared by every release using it. */
export function slugImageName(checksum: string): string {
  return `paas/slug:${checksum.slice(0, 16)}`;
}

/** The stack's `app` user (`useradd --uid 1000` in the stack recipe). */
const APP_OWNER: TarOwner = { uid: 1000, gid: 1000, uname: 'app', gname: 'app' };

/**
 * The slug on top of the stack, in one layer. Heroku's `/app` is writable by the app:
 * the context's `slug.tar` already names `app` as the owner of every entry, and `ADD` of
 * a local archive keeps the archive's owners (checked on Engine 20.10; `--chown` is
 * ignored for archives). A `RUN chown -R` instead would copy every file into a second
 * layer.
 */
export function slugDockerfile(stackImage: string, checksum: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(stackImage)) throw new Error(`Invalid stack image name ${JSON.stringify(stackImage)}.`);
  return [
    `FROM ${stackImage}`,
    'ADD slug.tar /app/',
    'USER app',
    'WORKDIR /app',
    'ENV HOME=/app',
    `LABEL paas.slug=${checksum}`,
    '',
  ].join('\n');
}

/** The slug inflated, its owners made `app`. */
function appOwnedSlug(slugPath: string): AsyncGenerator<Buffer> {
  return rewriteTarOwners(createReadStream(slugPath).pipe(createGunzip()), APP_OWNER);
}

/** The slug's uncompressed size: the context's tar header needs it before the data. */
async function inflatedSize(slugPath: string): Promise<number> {
  let size = 0;
  for await (const chunk of createReadStream(slugPath).pipe(createGunzip())) size += (chunk as Buffer).length;
  return size;
}

/**
 * A build context streamed from the slug file: a Dockerfile and `slug.tar`, nothing
 * written to disk. The slug is inflated twice (once to learn the size), which costs far
 * less than a layer of copies.
 */
async function* buildContext(dockerfile: string, slugPath: string): AsyncGenerator<Buffer> {
  const size = await inflatedSize(slugPath);
  const text = Buffer.from(dockerfile, 'utf8');
  yield tarHeader({ name: 'Dockerfile', type: 'file', size: text.length });
  yield Buffer.concat([text, tarPadding(text.length)]);
  yield tarHeader({ name: 'slug.tar', type: 'file', size });
  let sent = 0;
  for await (const chunk of appOwnedSlug(slugPath)) {
    sent += chunk.length;
    if (sent > size) break;
    yield chunk;
  }
  if (sent !== size) throw new Error(`the slug file ${slugPath} changed while it was read`);
  yield Buffer.concat([tarPadding(size), TAR_END]);
}

interface ProgressEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Reads a build's progress stream to its end (an unread one stalls); rejects with the engine's message on failure. */
export function followBuild(docker: Docker, stream: NodeJS.ReadableStream, logger: DriverLogger): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: ProgressEvent[]) => {
        const failed = events.find((event) => event.error ?? event.errorDetail?.message);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      },
      (event: ProgressEvent) => {
        const text = event.stream?.trim();
        if (text) logger.debug({ line: text }, 'slug image build');
      },
    );
  });
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

/** Makes the slug's image unless it exists; returns its name. */
export async function ensureSlugImage(docker: Docker, stackImage: string, slug: SlugRef, logger: DriverLogger): Promise<string> {
  const image = slugImageName(slug.checksum);
  try {
    const found = await docker.getImage(image).inspect();
    if (found.Config.Labels?.['paas.slug'] === slug.checksum) return image;
    logger.warn({ image, slug: slug.checksum }, 'slug image tag holds another slug; rebuilding');
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await docker.getImage(stackImage).inspect();
  } catch (error) {
    if (isNotFound(error)) throw new Error(`The stack image ${stackImage} is missing: build it first (no registry is reachable to pull it).`);
    throw error;
  }
  logger.info({ image, slug: slug.checksum }, 'building slug image');
  const context = Readable.from(buildContext(slugDockerfile(stackImage, slug.checksum), slug.path), { objectMode: false });
  const progress = await docker.buildImage(context, { t: image, rm: true, forcerm: true });
  await followBuild(docker, progress, logger);
  return image;
}
