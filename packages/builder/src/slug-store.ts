import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { invalidParams } from '@paas/core';

export const SLUG_ID_PATTERN = /^[0-9a-f]{64}$/;

export interface StoredSlug {
  /** The sha256 of the slug's bytes, also its name. */
  readonly id: string;
  readonly size: number;
  readonly path: string;
}

export interface SlugStore {
  /** Moves a finished slug file into the store under its sha256; the file is gone afterwards. */
  put(file: string): Promise<StoredSlug>;
  /** Where the slug lives (whether or not it exists). */
  path(id: string): string;
  has(id: string): Promise<boolean>;
  /** Removes a slug; removing one that is not there is fine. */
  remove(id: string): Promise<void>;
  /** Ids of every stored slug, for garbage collection. */
  list(): Promise<string[]>;
}

function assertSlugId(id: string): string {
  if (!SLUG_ID_PATTERN.test(id)) throw invalidParams(`Invalid slug id ${JSON.stringify(id.slice(0, 80))}: a slug id is a sha256 in lowercase hex.`);
  return id;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fsync(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Content-addressed slugs on disk: `<root>/<sha256>.tgz`. A slug appears under its
 * final name only complete and synced (temp name, fsync, rename, fsync of the
 * directory), so a crash never leaves a half-written slug that looks valid.
 */
export function createSlugStore(options: { root: string }): SlugStore {
  const root = options.root;
  const pathOf = (id: string): string => join(root, `${assertSlugId(id)}.tgz`);

  return {
    async put(file) {
      await mkdir(root, { recursive: true });
      const incoming = join(root, `.incoming-${randomUUID()}`);
      try {
        try {
          await rename(file, incoming);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
          // Another filesystem: copy under the temp name, then drop the original.
          await copyFile(file, incoming);
          await rm(file, { force: true });
        }
        await fsync(incoming, 'r+');
        const id = await sha256Of(incoming);
        const { size } = await stat(incoming);
        const path = pathOf(id);
        await rename(incoming, path);
        await fsync(root, 'r');
        return { id, size, path };
      } catch (error) {
        await rm(incoming, { force: true });
        throw error;
      }
    },
    path: pathOf,
    async has(id) {
      try {
        return (await stat(pathOf(id))).isFile();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
    async remove(id) {
      await rm(pathOf(id), { force: true });
    },
    async list() {
      const names = await readdir(root).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      return names
        .filter((name) => name.endsWith('.tgz') && SLUG_ID_PATTERN.test(name.slice(0, -4)))
        .map((name) => name.slice(0, -4))
        .sort();
    },
  };
}
