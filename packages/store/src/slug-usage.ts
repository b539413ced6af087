import type { ReleaseStatus } from '@paas/core';

import type { Db } from './database.js';

/** A release and the slug it runs, as the disk collector weighs it. */
export interface ReleaseSlugRow {
  readonly app: string;
  readonly version: number;
  readonly status: ReleaseStatus;
  readonly current: boolean;
  /** The slug's sha256; null for a release without code (before the first deploy). */
  readonly checksum: string | null;
  /** The runtime layer that slug runs on; null for none. */
  readonly runtimeLayer: string | null;
}

/** Read-only questions about which slugs are referenced, for the disk collector. */
export interface SlugUsage {
  /** Every release of every app with its slug's checksum, newest first within an app. */
  releases(): ReleaseSlugRow[];
  /** Checksums of every slug record (slugs this installation built), referenced or not. */
  knownChecksums(): Set<string>;
  /** Runtime layers of every slug record, referenced or not. */
  knownLayers(): Set<string>;
  /** Checksums of the app's slugs and of the runtime layers they run on (read before the app is destroyed). */
  checksumsOf(appName: string): Set<string>;
  /** Builds under way: a slug may be on disk before its record is written. */
  buildsRunning(): number;
}

interface ReleaseRow {
  app: string;
  version: number;
  status: ReleaseStatus;
  current_release: number;
  checksum: string | null;
  runtime_layer: string | null;
}

export function createSlugUsage(db: Db): SlugUsage {
  const releases = db.prepare<[], ReleaseRow>(
    `SELECT a.name AS app, r.version, r.status, a.current_release, s.checksum, s.runtime_layer
     FROM releases r JOIN apps a ON a.id = r.app_id LEFT JOIN slugs s ON s.id = r.slug_id
     ORDER BY a.name, r.version DESC`,
  );
  const known = db.prepare<[], { checksum: string }>('SELECT DISTINCT checksum FROM slugs');
  const layers = db.prepare<[], { runtime_layer: string }>('SELECT DISTINCT runtime_layer FROM slugs WHERE runtime_layer IS NOT NULL');
  const ofApp = db.prepare<[string, string], { checksum: string }>(
    `SELECT s.checksum FROM slugs s JOIN apps a ON a.id = s.app_id WHERE a.name = ?
     UNION SELECT s.runtime_layer FROM slugs s JOIN apps a ON a.id = s.app_id WHERE a.name = ? AND s.runtime_layer IS NOT NULL`,
  );
  const running = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM builds WHERE status = 'pending'");
  return {
    releases: () =>
      releases.all().map((row) => ({
        app: row.app,
        version: row.version,
        status: row.status,
        current: row.version === row.current_release,
        checksum: row.checksum,
        runtimeLayer: row.runtime_layer,
      })),
    knownChecksums: () => new Set(known.all().map((row) => row.checksum)),
    knownLayers: () => new Set(layers.all().map((row) => row.runtime_layer)),
    checksumsOf: (appName) => new Set(ofApp.all(appName, appName).map((row) => row.checksum)),
    buildsRunning: () => running.get()?.n ?? 0,
  };
}
