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
  /**
   * The layer `app`'s last build ran on, if its files surveyed the same (`surveyRuntimeLayer`)
   * and it is still stored: a warm build then reads no file of its runtime. Per app, so a
   * survey (which sizes and mtimes could forge) never finds another app's layer.
   */
  recall(app: string, survey: string): Promise<string | undefined>;
  /** Remembers the layer `app`'s build ran on and what its files surveyed. */
  remember(app: string, survey: string, id: string): Promise<void>;
}

export function createRuntimeLayerStore(options: { root: string }): RuntimeLayerStore {
  const files = createSlugStore({ root: options.root });
  const index = join(options.root, 'by-content');
  const byApp = join(options.root, 'by-app');
  const appEntry = (app: string): string => {
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(app)) throw new Error(`Invalid app key ${JSON.stringify(app.slice(0, 100))} for the layer store.`);
    return join(byApp, app);
  };
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
    async recall(app, survey) {
      const [recorded, id] = (await readFile(appEntry(app), 'utf8').catch(() => '')).trim().split(' ');
      return recorded === survey && id !== undefined && SLUG_ID_PATTERN.test(id) && (await files.has(id)) ? id : undefined;
    },
    async remember(app, survey, id) {
      await mkdir(byApp, { recursive: true });
      const scratch = join(byApp, `.${randomUUID()}`);
      await writeFile(scratch, `${survey} ${id}\n`);
      await rename(scratch, appEntry(app));
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

/** What a build uses of the layer store: the shared lookups, and the warm-build shortcut bound to one app. */
export interface BuildRuntimeLayers {
  find(digest: string): Promise<string | undefined>;
  record(file: string, digest: string): Promise<string>;
  recall?(survey: string): Promise<string | undefined>;
  remember?(survey: string, id: string): Promise<void>;
}

/** The store as `app`'s build sees it (a survey must never find another app's layer). */
export function runtimeLayersFor(store: Pick<RuntimeLayerStore, 'find' | 'record' | 'recall' | 'remember'>, app: string): BuildRuntimeLayers {
  return {
    find: (digest) => store.find(digest),
    record: (file, digest) => store.record(file, digest),
    recall: (survey) => store.recall(app, survey),
    remember: (survey, id) => store.remember(app, survey, id),
  };
}
