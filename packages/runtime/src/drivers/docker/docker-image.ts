import { createHash } from 'node:crypto';
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

/**
 * `paas/runtime:<16 hex digits>`: one image per runtime layer, stack and recipe, the base of every
 * slug image that runs on that runtime (so its files are stored once by the engine).
 */
export function runtimeImageName(stackImage: string, layerChecksum: string): string {
  // Named by its whole recipe: a changed recipe makes a new image instead of reusing an old one.
  return `paas/runtime:${createHash('sha256').update(runtimeDockerfile(stackImage, layerChecksum)).digest('hex').slice(0, 16)}`;
}

/** The stack's `app` user (`useradd --uid 1000` in the stack recipe). */
const APP_OWNER: TarOwner = { uid: 1000, gid: 1000, uname: 'app', gname: 'app' };

/** What every process image sets: the app user, and `/app` as its home and working dir. */
const PROCESS_SETTINGS = ['USER app', 'WORKDIR /app', 'ENV HOME=/app'];

/**
 * The slug on top of its base, in one layer. Heroku's `/app` is writable by the app:
 * the context's `slug.tar` already names `app` as the owner of every entry, and `ADD` of
 * a local archive keeps the archive's owners (checked on Engine 20.10; `--chown` is
 * ignored for archives). A `RUN chown -R` instead would copy every file into a second
 * layer. Over a runtime image (`settled`: it already sets the user, home and working dir)
 * the build is two steps, each a commit the engine makes on every push.
 */
export function slugDockerfile(baseImage: string, checksum: string, settled = false): string {
  return [`FROM ${checkImageName(baseImage)}`, 'ADD slug.tar /app/', ...(settled ? [] : PROCESS_SETTINGS), `LABEL paas.slug=${checksum}`, ''].join('\n');
}

function checkImageName(image: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(image)) throw new Error(`Invalid image name ${JSON.stringify(image)}.`);
  return image;
}

/**
 * The runtime layer on top of the stack, in one layer of its own, owned by `app` like the
 * slug (the archive's owners are kept). Slug images of every push on this runtime are
 * made `FROM` it, so the runtime is neither sent to the engine nor stored again.
 */
export function runtimeDockerfile(stackImage: string, layerChecksum: string): string {
  return [`FROM ${checkImageName(stackImage)}`, 'ADD slug.tar /app/', ...PROCESS_SETTINGS, `LABEL paas.layer=${layerChecksum} paas.stack=${stackImage}`, ''].join('\n');
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

/** Whether `image` exists and carries `label=value`; a tag that holds something else is logged and made again. */
async function hasImage(docker: Docker, image: string, label: string, value: string, logger: DriverLogger): Promise<boolean> {
  try {
    const found = await docker.getImage(image).inspect();
    if (found.Config.Labels?.[label] === value) return true;
    logger.warn({ image, [label]: value }, 'image tag holds something else; rebuilding');
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return false;
}

async function buildImage(docker: Docker, image: string, dockerfile: string, archive: string, logger: DriverLogger): Promise<void> {
  const context = Readable.from(buildContext(dockerfile, archive), { objectMode: false });
  const progress = await docker.buildImage(context, { t: image, rm: true, forcerm: true });
  await followBuild(docker, progress, logger);
}

const runtimeImagesInFlight = new Map<string, Promise<string>>();

/** Makes the runtime layer's image over the stack unless it exists; returns its name. Concurrent callers share one build. */
export function ensureRuntimeImage(docker: Docker, stackImage: string, layer: SlugRef, logger: DriverLogger): Promise<string> {
  const image = runtimeImageName(stackImage, layer.checksum);
  let pending = runtimeImagesInFlight.get(image);
  if (!pending) {
    pending = (async () => {
      if (await hasImage(docker, image, 'paas.layer', layer.checksum, logger)) return image;
      logger.info({ image, layer: layer.checksum }, 'building runtime image');
      await buildImage(docker, image, runtimeDockerfile(stackImage, layer.checksum), layer.path, logger);
      return image;
    })().finally(() => runtimeImagesInFlight.delete(image));
    runtimeImagesInFlight.set(image, pending);
  }
  return pending;
}

/** Makes the slug's image unless it exists (over its runtime's image when it has a runtime layer); returns its name. */
export async function ensureSlugImage(docker: Docker, stackImage: string, slug: SlugRef, logger: DriverLogger): Promise<string> {
  const image = slugImageName(slug.checksum);
  if (await hasImage(docker, image, 'paas.slug', slug.checksum, logger)) return image;
  try {
    await docker.getImage(stackImage).inspect();
  } catch (error) {
    if (isNotFound(error)) throw new Error(`The stack image ${stackImage} is missing: build it first (no registry is reachable to pull it).`);
    throw error;
  }
  const base = slug.runtimeLayer ? await ensureRuntimeImage(docker, stackImage, slug.runtimeLayer, logger) : stackImage;
  logger.info({ image, slug: slug.checksum, base }, 'building slug image');
  await buildImage(docker, image, slugDockerfile(base, slug.checksum, slug.runtimeLayer !== undefined), slug.path, logger);
  return image;
}
