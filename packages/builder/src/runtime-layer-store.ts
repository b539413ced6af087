import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { SLUG_ID_PATTERN, type SlugStore, createSlugStore } from './slug-store.js';

/**
 * Runtime layers on disk: `<root>/<sha256>.tgz`, stored like slugs (content-addressed by
 * the file's bytes, complete or absent), plus an index from the digest of a layer's
 * contents (`digestRuntimeLayer`) to its file, so a build that made the same runtime finds
 * it without compressing it again. The index is only a shortcut: packing the same
 * contents again gives the same file.
 */
export interface RuntimeLayerStore extends SlugStore {
  /** The id of the stored layer made from contents with this digest, if it is stored. */
  find(digest: string): Promise<string | undefined>;
  /** Stores a packed layer (the file is moved) made from contents with `digest`; its id. */
  record(file: string, digest: string): Promise<string>;
}

export function createRuntimeLayerStore(options: { root: string }): RuntimeLayerStore {
  const files = createSlugStore({ root: options.root });
  const index = join(options.root, 'by-content');
  const indexEntry = (digest: string): string => {
    if (!SLUG_ID_PATTERN.test(digest)) throw new Error('A layer digest is 64 lowercase hex digits.');
    return join(index, digest);
  };
  return {
    ...files,
    async find(digest) {
      const id = (await readFile(indexEntry(digest), 'utf8').catch(() => '')).trim();
      return SLUG_ID_PATTERN.test(id) && (await files.has(id)) ? id : undefined;
    },
    async record(file, digest) {
      const stored = await files.put(file);
      await mkdir(index, { recursive: true });
      const scratch = join(index, `.${randomUUID()}`);
      await writeFile(scratch, stored.id);
      await rename(scratch, indexEntry(digest));
      return stored.id;
    },
    async remove(id) {
      await files.remove(id);
      // Index entries naming it would point at nothing; find() ignores them, this tidies up.
      for (const name of await readdir(index).catch(() => [] as string[])) {
        const entry = join(index, name);
        if ((await readFile(entry, 'utf8').catch(() => '')).trim() === id) await rm(entry, { force: true });
      }
    },
  };
}
