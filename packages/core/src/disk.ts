/** What the platform's disk holds, by kind, and what a collection would free (`GET /disk`). */
export type DiskKind = 'slugs' | 'images' | 'unpacked' | 'build_cache' | 'repos' | 'temp';

export const DISK_KINDS: readonly DiskKind[] = ['slugs', 'images', 'unpacked', 'build_cache', 'repos', 'temp'];

/** One thing the collector would remove (or has removed). */
export interface DiskItemResource {
  readonly kind: 'slug' | 'image' | 'unpacked';
  /** The slug's sha256; an image or unpacked dir is named by the slug it holds. */
  readonly slug: string;
  /** The image's name, or the file or directory's path. */
  readonly name: string;
  readonly bytes: number;
}

export interface DiskResource {
  readonly total_bytes: number;
  readonly by_kind: Readonly<Record<DiskKind, number>>;
  /** Slugs of each app's newest this-many releases are kept. */
  readonly keep_releases: number;
  readonly collectable_bytes: number;
  readonly collectable: readonly DiskItemResource[];
}

/** The answer to `POST /disk/collect`: what was removed, and what was kept because it came into use meanwhile. */
export interface DiskCollectionResource {
  readonly freed_bytes: number;
  readonly removed: readonly DiskItemResource[];
  readonly skipped: readonly DiskItemResource[];
}
