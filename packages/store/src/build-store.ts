import { randomUUID } from 'node:crypto';

import { notFound } from '@paas/core';

import type { Db } from './database.js';
import { now } from './database.js';

export type BuildStatus = 'pending' | 'succeeded' | 'failed';

export interface BuildRecord {
  readonly id: string;
  readonly appId: string;
  readonly status: BuildStatus;
  readonly sourceCommit: string | null;
  readonly slugId: string | null;
  readonly releaseId: string | null;
  readonly actor: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  /** app.json as the build read it (checked), or null when the source had none. */
  readonly appJson: unknown;
}

interface BuildRow {
  id: string;
  app_id: string;
  status: BuildStatus;
  source_commit: string | null;
  slug_id: string | null;
  release_id: string | null;
  actor: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  app_json: string | null;
}

export interface BuildStore {
  create(input: { appId: string; actor: string; sourceCommit: string | null }): BuildRecord;
  finish(id: string, result: { status: 'succeeded' | 'failed'; output: string; slugId?: string; releaseId?: string; appJson?: unknown }): BuildRecord;
  get(id: string): BuildRecord | undefined;
  output(id: string): string;
  list(appId: string, limit?: number): BuildRecord[];
  /** Builds left pending by a paasd that stopped mid-build: they will never finish. */
  failAbandoned(reason: string): number;
}

const COLUMNS = 'id, app_id, status, source_commit, slug_id, release_id, actor, created_at, updated_at, finished_at, app_json';

function toBuild(row: BuildRow): BuildRecord {
  return {
    id: row.id,
    appId: row.app_id,
    status: row.status,
    sourceCommit: row.source_commit,
    slugId: row.slug_id,
    releaseId: row.release_id,
    actor: row.actor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    appJson: row.app_json === null ? null : (JSON.parse(row.app_json) as unknown),
  };
}

export function createBuildStore(db: Db): BuildStore {
  const insert = db.prepare(
    `INSERT INTO builds (id, app_id, status, source_commit, actor, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?, ?)`,
  );
  const finish = db.prepare(
    `UPDATE builds SET status = ?, output = ?, slug_id = ?, release_id = ?, app_json = ?, updated_at = ?, finished_at = ? WHERE id = ?`,
  );
  const byId = db.prepare<[string], BuildRow>(`SELECT ${COLUMNS} FROM builds WHERE id = ?`);
  const output = db.prepare<[string], { output: string }>('SELECT output FROM builds WHERE id = ?');
  const list = db.prepare<[string, number], BuildRow>(
    `SELECT ${COLUMNS} FROM builds WHERE app_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
  );
  const abandon = db.prepare(
    `UPDATE builds SET status = 'failed', output = output || ?, updated_at = ?, finished_at = ? WHERE status = 'pending'`,
  );
  const get = (id: string): BuildRecord | undefined => {
    const row = byId.get(id);
    return row ? toBuild(row) : undefined;
  };
  return {
    create({ appId, actor, sourceCommit }) {
      const id = randomUUID();
      const at = now();
      insert.run(id, appId, sourceCommit, actor, at, at);
      return get(id) as BuildRecord;
    },
    finish(id, result) {
      const at = now();
      finish.run(result.status, result.output, result.slugId ?? null, result.releaseId ?? null, result.appJson === undefined ? null : JSON.stringify(result.appJson), at, at, id);
      const build = get(id);
      if (!build) throw notFound('build', id);
      return build;
    },
    get,
    output(id) {
      const row = output.get(id);
      if (!row) throw notFound('build', id);
      return row.output;
    },
    list: (appId, limit = 100) => list.all(appId, limit).map(toBuild),
    failAbandoned(reason) {
      const at = now();
      return abandon.run(`\n !     ${reason}\n`, at, at).changes;
    },
  };
}
