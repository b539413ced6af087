import type { ReleaseStatus } from '@paas/core';

/**
 * What the disk collector may remove, decided from data alone (no disk, no engine).
 *
 * Retention: a slug (its file, its Docker image, its unpacked copy) is kept while
 * - one of its app's newest `keepReleases` releases runs it (config-only releases count:
 *   they run the slug of the release before them), or
 * - it is an app's current release, or a release still `pending` (being deployed), or
 * - a process the runtime reports (running or exited, not yet removed) belongs to a release
 *   that runs it.
 * Anything else is collectable, with two exceptions that keep data whose owner we cannot see:
 * - a slug file or unpacked dir no slug record names is kept while a build runs (a build
 *   stores its slug and seeds its unpacked copy before it records them);
 * - an image of a slug this installation never recorded belongs to another installation
 *   sharing the engine, and is left to it.
 * A process the runtime reports that no release matches keeps every image and unpacked dir.
 *
 * A runtime layer (its file, its runtime image, its unpacked dir) is an item like a slug's,
 * named by the layer file's sha256: it is kept, for the same reason, while any kept slug
 * runs on it.
 */

export interface ReleaseSlug {
  readonly app: string;
  readonly version: number;
  readonly status: ReleaseStatus;
  readonly current: boolean;
  /** sha256 of the release's slug; null before the first deploy. */
  readonly checksum: string | null;
  /** The runtime layer that slug runs on; null or absent for none. */
  readonly runtimeLayer?: string | null;
}

export interface RunningProcess {
  readonly app: string;
  readonly release: number;
}

export type DiskItemKind = 'slug' | 'image' | 'unpacked';

export interface DiskItem {
  readonly kind: DiskItemKind;
  /** The slug's sha256 (or the runtime layer's). */
  readonly slug: string;
  /** The image's name, or the file or directory's path. */
  readonly name: string;
  readonly bytes: number;
}

export type KeepReason = 'newest' | 'current' | 'pending' | 'running';

export interface DiskPlanInput {
  readonly keepReleases: number;
  /** Every release of every app (any order). */
  readonly releases: readonly ReleaseSlug[];
  readonly running: readonly RunningProcess[];
  /** Checksums of every slug record and of every runtime layer they name, referenced or not. */
  readonly knownSlugs: ReadonlySet<string>;
  readonly buildsRunning: boolean;
  readonly slugFiles: readonly DiskItem[];
  readonly images: readonly DiskItem[];
  readonly unpacked: readonly DiskItem[];
}

export interface DiskPlan {
  /** Slugs kept, with the first reason found. */
  readonly keep: ReadonlyMap<string, KeepReason>;
  readonly remove: readonly DiskItem[];
  readonly bytes: number;
}

/** The slugs that must stay, each with why. */
export function planKeptSlugs(input: Pick<DiskPlanInput, 'keepReleases' | 'releases' | 'running'>): { keep: Map<string, KeepReason>; unmatchedProcesses: number } {
  const keep = new Map<string, KeepReason>();
  const mark = (release: ReleaseSlug, reason: KeepReason): void => {
    for (const checksum of [release.checksum, release.runtimeLayer ?? null]) {
      if (checksum !== null && !keep.has(checksum)) keep.set(checksum, reason);
    }
  };
  const byApp = new Map<string, ReleaseSlug[]>();
  for (const release of input.releases) byApp.set(release.app, [...(byApp.get(release.app) ?? []), release]);
  for (const releases of byApp.values()) {
    const newestFirst = [...releases].sort((a, b) => b.version - a.version);
    for (const release of newestFirst.slice(0, input.keepReleases)) mark(release, 'newest');
    for (const release of newestFirst) {
      if (release.current) mark(release, 'current');
      if (release.status === 'pending') mark(release, 'pending');
    }
  }
  const index = new Map(input.releases.map((release) => [`${release.app}\0${String(release.version)}`, release]));
  let unmatchedProcesses = 0;
  for (const process of input.running) {
    const release = index.get(`${process.app}\0${String(process.release)}`);
    if (release) mark(release, 'running');
    else unmatchedProcesses += 1;
  }
  return { keep, unmatchedProcesses };
}

export function planDiskCollection(input: DiskPlanInput): DiskPlan {
  const { keep, unmatchedProcesses } = planKeptSlugs(input);
  // A slug no record names may be a running build's, not yet recorded.
  const orphanMayGo = (item: DiskItem): boolean => input.knownSlugs.has(item.slug) || !input.buildsRunning;
  const remove = [
    ...input.slugFiles.filter((item) => !keep.has(item.slug) && orphanMayGo(item)),
    ...(unmatchedProcesses > 0 ? [] : input.unpacked.filter((item) => !keep.has(item.slug) && orphanMayGo(item))),
    ...(unmatchedProcesses > 0 ? [] : input.images.filter((item) => !keep.has(item.slug) && input.knownSlugs.has(item.slug))),
  ];
  return { keep, remove, bytes: remove.reduce((sum, item) => sum + item.bytes, 0) };
}
