import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type Docker from 'dockerode';

import { unmountUnder } from '@paas/runtime';

import type { Logger } from '../logger.js';
import { treeSizes } from './tree-size.js';

/**
 * Where paasd writes data it means to delete or rename soon, and which names in each
 * place are such data. Whatever is there when paasd starts was left by one that stopped
 * (or was killed) mid-way: no build, push, unpack or collection runs yet.
 */
const TEMP_PLACES: readonly { dir: readonly string[]; names: RegExp }[] = [
  // Build trees, half-written slugs (the build service's and the builder's own default name),
  // runtime layers being unpacked by a build.
  { dir: ['tmp'], names: /^(paas-build-|paas-layer-|slug-.*\.tgz$|paas-slug-.*\.tgz$)/ },
  // The stack image's rootfs and build context (`paasd stack` may be making one right now: see below).
  { dir: ['tmp'], names: /^(rootfs-|stack-context-)/ },
  // Slugs being moved in, and ones the collector renamed away before deleting them.
  { dir: ['slugs'], names: /^\.(incoming|collected)-/ },
  // Runtime layers likewise, and their index entries being written.
  { dir: ['layers'], names: /^\.(incoming|collected)-/ },
  { dir: ['layers', 'by-content'], names: /^\./ },
  { dir: ['layers', 'by-app'], names: /^\./ },
  // Slugs and runtime layers being unpacked, unpacked copies being deleted.
  { dir: ['local', 'slugs-unpacked'], names: /^\.(unpack|collected)-/ },
  { dir: ['local', 'layers-unpacked'], names: /^\.(unpack|collected)-/ },
  // Repositories being created or deleted.
  { dir: ['repos'], names: /^\.(tmp|trash)-/ },
];

/** `paasd stack` runs apart from paasd: its work dirs are left alone until surely abandoned. */
const STACK_WORK_MIN_AGE_MS = 6 * 60 * 60 * 1000;

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}

/** Paths of interrupted work under the data dir (all of them: call only when none can be running). */
export async function findInterruptedWork(dataDir: string, now = Date.now()): Promise<string[]> {
  const found: string[] = [];
  for (const place of TEMP_PLACES) {
    const dir = join(dataDir, ...place.dir);
    for (const name of await entries(dir)) {
      if (!place.names.test(name)) continue;
      const path = join(dir, name);
      if (/^(rootfs|stack-context)-/.test(name)) {
        const info = await stat(path).catch(() => undefined);
        if (!info || now - info.mtimeMs < STACK_WORK_MIN_AGE_MS) continue;
      }
      found.push(path);
    }
  }
  // Spares the local driver made ahead of starts (spare-app-dirs.ts; a driver that closed
  // released its own). Not a temp place: the disk report would count the slug mounted in each.
  for (const name of await entries(join(dataDir, 'local', 'processes'))) if (name.startsWith('.spare-')) found.push(join(dataDir, 'local', 'processes', name));
  // Build dirs inside the apps' build caches (see workInCacheDir).
  for (const app of await entries(join(dataDir, 'cache'))) {
    // Anything but a directory there is not an app's cache: nothing to look for in it.
    const names = await readdir(join(dataDir, 'cache', app)).catch(() => [] as string[]);
    for (const name of names) if (name.startsWith('.paas-build-')) found.push(join(dataDir, 'cache', app, name));
  }
  return found;
}

/** Every temp path the disk report counts, interrupted or in use. */
export async function tempPaths(dataDir: string): Promise<string[]> {
  const found = [join(dataDir, 'tmp')];
  for (const place of TEMP_PLACES.filter((p) => p.dir[0] !== 'tmp')) {
    const dir = join(dataDir, ...place.dir);
    for (const name of await entries(dir)) if (place.names.test(name)) found.push(join(dir, name));
  }
  return found;
}

export interface SweepResult {
  readonly paths: readonly string[];
  readonly bytes: number;
  readonly containers: number;
}

/**
 * Removes what interrupted builds, pushes, unpacks and collections left: temp files and
 * dirs, and build containers of this installation (labelled `paas.build` and `paas.instance`).
 * Run at start, before anything that writes them does.
 */
export async function sweepInterruptedWork(options: { dataDir: string; docker?: Docker | undefined; instance: string; logger: Logger }): Promise<SweepResult> {
  const { logger } = options;
  let containers = 0;
  if (options.docker) {
    const filters = JSON.stringify({ label: ['paas.build=true', `paas.instance=${options.instance}`] });
    for (const container of await options.docker.listContainers({ all: true, filters })) {
      await options.docker.getContainer(container.Id).remove({ force: true });
      containers += 1;
    }
  }
  const paths = await findInterruptedWork(options.dataDir);
  // A build step's mounts would take rm into the host's directories, and a spare's would
  // count its slug as what is removed: detach them first.
  for (const path of paths) await unmountUnder(path);
  const sizes = await treeSizes(paths);
  for (const path of paths) await rm(path, { recursive: true, force: true });
  const bytes = [...sizes.values()].reduce((sum, size) => sum + size, 0);
  if (paths.length > 0 || containers > 0) logger.info({ paths: paths.length, bytes, containers }, 'interrupted work removed');
  return { paths, bytes, containers };
}
