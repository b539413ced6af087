import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

import type Docker from 'dockerode';

import { followProgress } from './progress.js';

/** The stack's name, as buildpacks see it in `$STACK`. */
export const STACK = 'paas-bookworm';
export const DEFAULT_STACK_IMAGE = 'paas/stack:bookworm';
const DEBIAN_SUITE = 'bookworm';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/**
 * What buildpacks and common apps expect to find on the stack. The Python buildpack
 * uses python3 with python3-venv; the Go buildpack uses golang-go (both fail with a
 * clear message on a stack image built before they were added).
 */
export const STACK_PACKAGES = [
  'bash', 'build-essential', 'ca-certificates', 'curl', 'git', 'golang-go', 'gzip', 'libstdc++6', 'locales',
  'openssl', 'procps', 'python3', 'python3-venv', 'tar', 'tzdata', 'xz-utils', 'zstd',
];

export interface StackImageOptions {
  readonly docker: Docker;
  /** Image name; the base rootfs is imported as `<repo>-base:<tag>`. */
  readonly image?: string;
  /** Scratch space for the Debian root file system (removed afterwards). */
  readonly workDir: string;
  readonly mirror?: string;
  /** Progress, one line at a time. */
  readonly onLine?: (line: string) => void;
  /** Where the host keeps its own CAs (`*.crt`); default Debian's `/usr/local/share/ca-certificates`. */
  readonly localCaDir?: string;
}

/** Copies the host's local CA certificates (`*.crt`, one level of folders) into the build context. */
async function copyLocalAuthorities(from: string, to: string): Promise<number> {
  await mkdir(to, { recursive: true });
  let count = 0;
  const entries = await readdir(from, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.crt')) continue;
    const source = join(entry.parentPath, entry.name);
    const target = join(to, relative(from, source));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, target);
    count += 1;
  }
  return count;
}

export interface StackImageInfo {
  readonly image: string;
  readonly id: string;
  readonly createdAt: string;
  readonly size: number;
  /** The recipe digest it was made from (RECIPE_LABEL); absent on images made before it was kept. */
  readonly recipe?: string;
}

export function baseImageOf(image: string): string {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? `${image.slice(0, colon)}-base${image.slice(colon)}` : `${image}-base`;
}

export async function inspectStackImage(docker: Docker, image = DEFAULT_STACK_IMAGE): Promise<StackImageInfo | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    const recipe = info.Config.Labels?.[RECIPE_LABEL];
    return { image, id: info.Id, createdAt: info.Created, size: info.Size, ...(recipe === undefined ? {} : { recipe }) };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

function run(command: string, args: readonly string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const take = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) onLine(line.trimEnd());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${String(code)}: ${tail.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

/** debootstrap a minimal Debian and import it as the base image. */
async function importBase(options: StackImageOptions, base: string, onLine: (line: string) => void): Promise<void> {
  const rootfs = await mkdtemp(join(options.workDir, 'rootfs-'));
  try {
    onLine(`Bootstrapping Debian ${DEBIAN_SUITE} (minbase)`);
    await run('debootstrap', ['--variant=minbase', DEBIAN_SUITE, rootfs, options.mirror ?? DEBIAN_MIRROR], onLine);
    onLine(`Importing ${base}`);
    const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [repo, tag] = splitName(base);
    const stream = await options.docker.importImage(tar.stdout, { repo, tag });
    await followProgress(options.docker, stream, onLine);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

function splitName(image: string): [string, string] {
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
}

/** Debian's place for a site's own certificate authorities; the stack trusts them too. */
export const LOCAL_CA_DIR = '/usr/local/share/ca-certificates';

/** The label that names the recipe an image was made from: a changed recipe (a package added) means a new image. */
export const RECIPE_LABEL = 'paas.stack.recipe';

/** A digest of what the stack is made of, the same on every machine for the same recipe. */
export function stackRecipe(): string {
  return createHash('sha256').update(stackDockerfile('base')).digest('hex').slice(0, 16);
}

export function stackDockerfile(base: string): string {
  return [
    `FROM ${base}`,
    'ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8',
    `RUN apt-get update && apt-get install -y --no-install-recommends ${STACK_PACKAGES.join(' ')} && rm -rf /var/lib/apt/lists/*`,
    // Behind a TLS-inspecting proxy or with a private registry, builds and apps must trust
    // the same authorities as the host; Node reads only its own list unless told.
    `COPY local-ca/ ${LOCAL_CA_DIR}/`,
    'RUN update-ca-certificates',
    'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
    'RUN useradd --create-home --uid 1000 --shell /bin/bash app && mkdir -p /app && chown app:app /app',
    `ENV STACK=${STACK}`,
    'WORKDIR /app',
    ...(base === 'base' ? [] : [`LABEL ${RECIPE_LABEL}=${stackRecipe()}`]),
    '',
  ].join('\n');
}

/** Builds the stack image from Debian's archive, replacing any image of that name. */
export async function buildStackImage(options: StackImageOptions): Promise<StackImageInfo> {
  const image = options.image ?? DEFAULT_STACK_IMAGE;
  const base = baseImageOf(image);
  const onLine = options.onLine ?? ((): void => undefined);
  if (!(await inspectStackImage(options.docker, base))) await importBase(options, base, onLine);
  const context = await mkdtemp(join(options.workDir, 'stack-context-'));
  try {
    await writeFile(join(context, 'Dockerfile'), stackDockerfile(base));
    const authorities = await copyLocalAuthorities(options.localCaDir ?? LOCAL_CA_DIR, join(context, 'local-ca'));
    if (authorities > 0) onLine(`Adding ${String(authorities)} certificate authorities from ${options.localCaDir ?? LOCAL_CA_DIR}`);
    const tar = spawn('tar', ['-C', context, '-c', 'Dockerfile', 'local-ca'], { stdio: ['ignore', 'pipe', 'inherit'] });
    onLine(`Building ${image} with ${STACK_PACKAGES.length} packages`);
    const stream = await options.docker.buildImage(tar.stdout, { t: image, rm: true, forcerm: true });
    await followProgress(options.docker, stream, onLine);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  const info = await inspectStackImage(options.docker, image);
  if (!info) throw new Error(`the stack image ${image} was built but cannot be found`);
  return info;
}

/**
 * The stack image, made on first need when it is not there (no registry can be
 * reached, so it is built locally) and reused afterwards.
 */
export async function ensureStackImage(options: StackImageOptions): Promise<StackImageInfo> {
  const found = await inspectStackImage(options.docker, options.image);
  // An image made from an older recipe lacks what buildpacks now expect (python3-venv, go):
  // the platform's own stack is made again. An image named by PAAS_STACK_IMAGE is the operator's.
  const ours = (options.image ?? DEFAULT_STACK_IMAGE) === DEFAULT_STACK_IMAGE;
  if (found && (!ours || found.recipe === stackRecipe())) return found;
  if (found) options.onLine?.(`The stack image ${found.image} was made from an older recipe: making it again`);
  return buildStackImage(options);
}
