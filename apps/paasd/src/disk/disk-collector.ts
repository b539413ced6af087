import { randomBytes } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import type { DiskCollectionResource, DiskItemResource, DiskResource } from '@paas/core';
import type { SlugUsage } from '@paas/store';

import type { Logger } from '../logger.js';
import type { DiskItem, DiskPlan, RunningProcess } from './disk-plan.js';
import { planDiskCollection, planKeptSlugs } from './disk-plan.js';
import { tempPaths } from './interrupted-work.js';
import type { SlugImages } from './slug-images.js';
import { treeSizes } from './tree-size.js';

const SLUG_ID = /^[0-9a-f]{64}$/;

export interface DiskCollectorDeps {
  readonly dataDir: string;
  /** Slugs of each app's newest this-many releases are kept (PAAS_KEEP_RELEASES). */
  readonly keepReleases: number;
  readonly usage: SlugUsage;
  /** The slug store: ids of stored slugs and where each lives. */
  readonly slugs: { list(): Promise<string[]>; path(id: string): string };
  /** The runtime layer store, the same way; its files are collected as slug files are. */
  readonly layers?: { list(): Promise<string[]>; path(id: string): string };
  /** Every process the runtime driver reports, running or exited. */
  readonly processes: () => Promise<readonly RunningProcess[]>;
  /** The Docker engine's slug images, when processes run in containers. */
  readonly images?: SlugImages | undefined;
  /** The runtime driver's removal of its copies of removed slug images elsewhere (Swarm: registry, nodes). */
  readonly slugCopies?: ((images: readonly string[]) => Promise<void>) | undefined;
  /** The local driver's unpacked slugs (`<root>/<sha256>`), when processes run on the host. */
  readonly unpackedRoot?: string | undefined;
  /** The local driver's unpacked runtime layers, likewise. */
  readonly unpackedLayersRoot?: string | undefined;
  readonly logger: Logger;
}

export interface DiskCollector {
  readonly keepReleases: number;
  /** What the disk holds and what a collection would free. */
  report(): Promise<DiskResource>;
  /** Removes what the retention rule lets go; one collection at a time (a second call joins the first). */
  collect(): Promise<DiskCollectionResource>;
  /** After an app is destroyed: removes its slugs' (and runtime layers') files, images and unpacked dirs that no other app records. */
  removeUnrecorded(checksums: ReadonlySet<string>): Promise<DiskCollectionResource>;
  /** True when the slug's file is gone (synchronous: check and act in the same tick). */
  slugRemoved(checksum: string): boolean;
  /** Collects now (not awaited) and then every `intervalMs` (0: only now). */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a collection under way. */
  close(): Promise<void>;
}

const toResource = ({ kind, slug, name, bytes }: DiskItem): DiskItemResource => ({ kind, slug, name, bytes });

export function createDiskCollector(deps: DiskCollectorDeps): DiskCollector {
  const { logger } = deps;
  let running: Promise<DiskCollectionResource> | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** Slugs and runtime layers: every id a kept slug may need, with what is known of them. */
  const known = (): Set<string> => new Set([...deps.usage.knownChecksums(), ...deps.usage.knownLayers()]);

  async function storedFiles(store: { list(): Promise<string[]>; path(id: string): string } | undefined): Promise<DiskItem[]> {
    const ids = (await store?.list()) ?? [];
    const items = await Promise.all(
      ids.map(async (slug) => {
        const name = store?.path(slug) ?? '';
        const info = await stat(name).catch(() => undefined);
        return info ? [{ kind: 'slug' as const, slug, name, bytes: info.size }] : [];
      }),
    );
    return items.flat();
  }

  async function slugFiles(): Promise<DiskItem[]> {
    return [...(await storedFiles(deps.slugs)), ...(await storedFiles(deps.layers))];
  }

  async function unpackedIn(root: string | undefined): Promise<DiskItem[]> {
    if (root === undefined) return [];
    const names = (await readdir(root).catch(() => [] as string[])).filter((name) => SLUG_ID.test(name));
    const sizes = await treeSizes(names.map((name) => join(root, name)));
    return names.map((slug) => ({ kind: 'unpacked' as const, slug, name: join(root, slug), bytes: sizes.get(join(root, slug)) ?? 0 }));
  }

  async function unpackedDirs(): Promise<DiskItem[]> {
    return [...(await unpackedIn(deps.unpackedRoot)), ...(await unpackedIn(deps.unpackedLayersRoot))];
  }

  async function inventory(): Promise<{ plan: DiskPlan; items: { slugs: DiskItem[]; images: DiskItem[]; unpacked: DiskItem[] }; processes: readonly RunningProcess[] }> {
    const [slugs, images, unpacked, processes] = await Promise.all([slugFiles(), deps.images?.list() ?? [], unpackedDirs(), deps.processes()]);
    const plan = planDiskCollection({
      keepReleases: deps.keepReleases,
      releases: deps.usage.releases(),
      running: processes,
      knownSlugs: known(),
      buildsRunning: deps.usage.buildsRunning() > 0,
      slugFiles: slugs,
      images,
      unpacked,
    });
    return { plan, items: { slugs, images, unpacked }, processes };
  }

  /**
   * Checks the item is still collectable and, for files and dirs, renames it away in the
   * same synchronous step: a rollback checks the slug's file and records its release in
   * one step too, so the two cannot interleave.
   */
  function takeAway(item: DiskItem, processes: readonly RunningProcess[]): string | undefined {
    const { keep } = planKeptSlugs({ keepReleases: deps.keepReleases, releases: deps.usage.releases(), running: processes });
    if (keep.has(item.slug)) return undefined;
    if (!known().has(item.slug) && deps.usage.buildsRunning() > 0) return undefined;
    if (item.kind === 'image') return item.name;
    const aside = join(dirname(item.name), `.collected-${basename(item.name)}-${randomBytes(4).toString('hex')}`);
    try {
      renameSync(item.name, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed meanwhile
      throw error;
    }
    return aside;
  }

  async function removeItems(items: readonly DiskItem[], processes: readonly RunningProcess[], recheck: boolean): Promise<DiskCollectionResource> {
    const removed: DiskItem[] = [];
    const skipped: DiskItem[] = [];
    // Images first: an image a container still uses stays, and so then does nothing else of it break.
    const ordered = [...items].sort((a, b) => Number(b.kind === 'image') - Number(a.kind === 'image'));
    for (const item of ordered) {
      const target = recheck ? takeAway(item, processes) : item.name;
      let gone = target !== undefined;
      if (target !== undefined && item.kind === 'image') gone = (await deps.images?.remove(target)) ?? false;
      else if (target !== undefined) await rm(target, { recursive: true, force: true });
      (gone ? removed : skipped).push(item);
    }
    const slugImages = removed.filter((item) => item.kind === 'image' && item.name.startsWith('paas/slug:')).map((item) => item.name);
    if (slugImages.length > 0) await deps.slugCopies?.(slugImages);
    const freed = removed.reduce((sum, item) => sum + item.bytes, 0);
    return { freed_bytes: freed, removed: removed.map(toResource), skipped: skipped.map(toResource) };
  }

  async function collectOnce(): Promise<DiskCollectionResource> {
    const began = performance.now();
    const { plan, processes } = await inventory();
    const result = await removeItems(plan.remove, processes, true);
    const counts = { slugs: 0, images: 0, unpacked: 0 };
    for (const item of result.removed) counts[item.kind === 'slug' ? 'slugs' : item.kind === 'image' ? 'images' : 'unpacked'] += 1;
    logger.info({ ...counts, freedBytes: result.freed_bytes, skipped: result.skipped.length, keep: deps.keepReleases, ms: Math.round(performance.now() - began) }, 'disk collected');
    return result;
  }

  const collect = (): Promise<DiskCollectionResource> => {
    running ??= collectOnce().finally(() => (running = undefined));
    return running;
  };

  const runLogged = (): void => {
    collect().catch((error: unknown) => logger.error({ err: error }, 'disk collection failed'));
  };

  return {
    keepReleases: deps.keepReleases,
    async report() {
      const { plan, items } = await inventory();
      const temp = await tempPaths(deps.dataDir);
      const places = [join(deps.dataDir, 'cache'), join(deps.dataDir, 'cache-slug-members'), join(deps.dataDir, 'repos'), ...temp];
      const sizes = await treeSizes(places);
      const sum = (list: readonly DiskItem[]): number => list.reduce((total, item) => total + item.bytes, 0);
      const size = (path: string): number => sizes.get(path) ?? 0;
      // The repos dir holds the dot-named dirs counted as temp: count them once.
      const repoTemp = temp.filter((path) => dirname(path) === join(deps.dataDir, 'repos')).reduce((total, path) => total + size(path), 0);
      const byKind = {
        slugs: sum(items.slugs),
        images: sum(items.images),
        unpacked: sum(items.unpacked),
        build_cache: size(places[0] ?? '') + size(places[1] ?? ''),
        repos: Math.max(0, size(places[2] ?? '') - repoTemp),
        temp: temp.reduce((total, path) => total + size(path), 0),
      };
      return {
        total_bytes: Object.values(byKind).reduce((total, bytes) => total + bytes, 0),
        by_kind: byKind,
        keep_releases: deps.keepReleases,
        collectable_bytes: plan.bytes,
        collectable: plan.remove.map(toResource),
      };
    },
    collect,
    async removeUnrecorded(checksums) {
      // A runtime layer another app still runs on stays.
      const recorded = known();
      const gone = new Set([...checksums].filter((checksum) => !recorded.has(checksum)));
      if (gone.size === 0) return { freed_bytes: 0, removed: [], skipped: [] };
      const [slugs, images, unpacked] = await Promise.all([slugFiles(), deps.images?.list() ?? [], unpackedDirs()]);
      const items = [...slugs, ...images, ...unpacked].filter((item) => gone.has(item.slug));
      // No recheck against the retention rule: nothing of this app is recorded any more.
      return removeItems(items, [], false);
    },
    slugRemoved: (checksum) => !existsSync(deps.slugs.path(checksum)),
    start(intervalMs) {
      runLogged();
      if (intervalMs > 0) {
        timer = setInterval(runLogged, intervalMs);
        timer.unref();
      }
    },
    async close() {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
