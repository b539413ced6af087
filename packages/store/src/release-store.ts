import { randomUUID } from 'node:crypto';

import type { Release, ReleaseStatus } from '@paas/core';

import type { Db } from './database.js';
import { now } from './database.js';

interface ReleaseRow {
  id: string;
  app_id: string;
  version: number;
  slug_id: string | null;
  config_version: number;
  description: string;
  actor: string;
  status: ReleaseStatus;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewRelease {
  readonly appId: string;
  readonly slugId: string | null;
  readonly configVersion: number;
  readonly description: string;
  readonly actor: string;
  readonly status: ReleaseStatus;
}

/** A release as the releases list shows it: with its slug's commit and whether it has build output. */
export interface ReleaseListing {
  readonly release: Release;
  /** Undefined when the release has no slug or its record is gone. */
  readonly slug: { readonly id: string; readonly commit: string | null } | undefined;
  readonly hasOutput: boolean;
}

/** The listing's columns, read as arrays (`raw`): no object per row to build and collect. */
type ListingRow = [
  id: string,
  appId: string,
  version: number,
  slugId: string | null,
  configVersion: number,
  description: string,
  actor: string,
  status: ReleaseStatus,
  reason: string | null,
  createdAt: string,
  slugRow: string | null,
  slugCommit: string | null,
  hasOutput: number,
];

/** Row-level access to releases; callers run these inside their own transactions. */
export interface ReleaseRows {
  insert(release: NewRelease): Release;
  list(appId: string): Release[];
  /** Newest first, in one query: the releases list needs no lookup per release. */
  listing(appId: string): ReleaseListing[];
  byVersion(appId: string, version: number): Release | undefined;
  byId(appId: string, id: string): Release | undefined;
  setStatus(id: string, status: ReleaseStatus, reason?: string): void;
  /** The newest release that has not failed or been superseded: what a config change builds on. */
  newestViable(appId: string): Release | undefined;
  /** Pending releases, oldest first. */
  pending(appId?: string): Release[];
  /** Whether any release of this slug has ever gone live. */
  slugWentLive(appId: string, slugId: string): boolean;
}

function toRelease(row: ReleaseRow): Release {
  return {
    id: row.id,
    appId: row.app_id,
    version: row.version,
    slugId: row.slug_id,
    configVersion: row.config_version,
    description: row.description,
    actor: row.actor,
    status: row.status,
    ...(row.reason === null ? {} : { reason: row.reason }),
    createdAt: row.created_at,
  };
}

export function createReleaseRows(db: Db): ReleaseRows {
  const nextVersion = db.prepare<[string], { next: number }>(
    'SELECT COALESCE(MAX(version), 0) + 1 AS next FROM releases WHERE app_id = ?',
  );
  const insert = db.prepare(
    `INSERT INTO releases (id, app_id, version, slug_id, config_version, description, actor, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const list = db.prepare<[string], ReleaseRow>('SELECT * FROM releases WHERE app_id = ? ORDER BY version DESC');
  const listing = db.prepare<[string], ListingRow>(
    `SELECT r.id, r.app_id, r.version, r.slug_id, r.config_version, r.description, r.actor, r.status, r.reason, r.created_at,
            s.id, s.commit_sha,
            EXISTS (SELECT 1 FROM release_outputs o WHERE o.release_id = r.id) AS has_output
     FROM releases r LEFT JOIN slugs s ON s.id = r.slug_id
     WHERE r.app_id = ? ORDER BY r.version DESC`,
  ).raw(true);
  const byVersion = db.prepare<[string, number], ReleaseRow>('SELECT * FROM releases WHERE app_id = ? AND version = ?');
  const byId = db.prepare<[string, string], ReleaseRow>('SELECT * FROM releases WHERE app_id = ? AND id = ?');
  const setStatus = db.prepare('UPDATE releases SET status = ?, reason = ?, updated_at = ? WHERE id = ?');
  const newestViable = db.prepare<[string], ReleaseRow>(
    "SELECT * FROM releases WHERE app_id = ? AND status IN ('pending', 'succeeded') ORDER BY version DESC LIMIT 1",
  );
  const pendingOf = db.prepare<[string], ReleaseRow>("SELECT * FROM releases WHERE app_id = ? AND status = 'pending' ORDER BY version");
  const allPending = db.prepare<[], ReleaseRow>("SELECT * FROM releases WHERE status = 'pending' ORDER BY app_id, version");
  const slugLive = db.prepare<[string, string], { one: number }>(
    "SELECT 1 AS one FROM releases WHERE app_id = ? AND slug_id = ? AND status = 'succeeded' LIMIT 1",
  );
  return {
    insert(release) {
      // Versions are contiguous per app: the next number is taken inside the caller's
      // write transaction, and UNIQUE (app_id, version) backs that up.
      const version = nextVersion.get(release.appId)?.next ?? 1;
      const id = randomUUID();
      const createdAt = now();
      insert.run(
        id,
        release.appId,
        version,
        release.slugId,
        release.configVersion,
        release.description,
        release.actor,
        release.status,
        createdAt,
        createdAt,
      );
      return { ...release, id, version, createdAt };
    },
    list: (appId) => list.all(appId).map(toRelease),
    listing: (appId) =>
      listing.all(appId).map(([id, app, version, slugId, configVersion, description, actor, status, reason, createdAt, slugRow, slugCommit, hasOutput]) => ({
        release: { id, appId: app, version, slugId, configVersion, description, actor, status, ...(reason === null ? {} : { reason }), createdAt },
        slug: slugRow === null ? undefined : { id: slugRow, commit: slugCommit },
        hasOutput: hasOutput === 1,
      })),
    byVersion(appId, version) {
      const row = byVersion.get(appId, version);
      return row ? toRelease(row) : undefined;
    },
    byId(appId, id) {
      const row = byId.get(appId, id);
      return row ? toRelease(row) : undefined;
    },
    setStatus(id, status, reason) {
      setStatus.run(status, reason ?? null, now(), id);
    },
    newestViable(appId) {
      const row = newestViable.get(appId);
      return row ? toRelease(row) : undefined;
    },
    pending: (appId) => (appId === undefined ? allPending.all() : pendingOf.all(appId)).map(toRelease),
    slugWentLive: (appId, slugId) => slugLive.get(appId, slugId) !== undefined,
  };
}
