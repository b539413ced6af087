import type { ConfigVars } from '@paas/core';

import type { AppStore } from './app-store.js';
import type { Db } from './database.js';
import { now, writer } from './database.js';
import type { EventStore } from './event-store.js';
import type { PipelineStore } from './pipeline-store.js';

export interface ReviewAppConfig {
  readonly pipelineId: string;
  readonly pipelineName: string;
  /** Later pushes of a branch deploy its review app again. */
  readonly autodeploy: boolean;
  /** Review apps not pushed to for this many days are destroyed; null: never. */
  readonly staleDays: number | null;
  /** Config vars every review app starts with (before app.json's). */
  readonly env: ConfigVars;
}

export interface ReviewAppRecord {
  readonly appId: string;
  readonly appName: string;
  readonly pipelineId: string;
  readonly pipelineName: string;
  readonly parentAppName: string;
  readonly branch: string;
  readonly createdAt: string;
  /** The last push. */
  readonly updatedAt: string;
}

export interface ReviewAppStore {
  enable(pipeline: string, settings: { autodeploy: boolean; staleDays: number | null; env: ConfigVars }, actor: string): ReviewAppConfig;
  disable(pipeline: string, actor: string): void;
  config(pipeline: string): ReviewAppConfig | undefined;
  record(input: { appName: string; pipeline: string; parentAppName: string; branch: string }): ReviewAppRecord;
  touch(appName: string): void;
  byBranch(pipeline: string, branch: string): ReviewAppRecord | undefined;
  byApp(appName: string): ReviewAppRecord | undefined;
  list(pipeline?: string): ReviewAppRecord[];
  /** Review apps of pipelines with `staleDays`, last pushed to before then. */
  stale(at: Date): ReviewAppRecord[];
}

interface ConfigRow { pipeline_id: string; pipeline_name: string; autodeploy: number; stale_days: number | null; env: string }
interface ReviewRow {
  app_id: string; app_name: string; pipeline_id: string; pipeline_name: string; parent_app_name: string;
  branch: string; created_at: string; updated_at: string;
}

const REVIEW_SELECT = `SELECT r.*, a.name AS app_name, p.name AS pipeline_name
  FROM review_apps r JOIN apps a ON a.id = r.app_id JOIN pipelines p ON p.id = r.pipeline_id`;

const toReview = (row: ReviewRow): ReviewAppRecord => ({
  appId: row.app_id, appName: row.app_name, pipelineId: row.pipeline_id, pipelineName: row.pipeline_name,
  parentAppName: row.parent_app_name, branch: row.branch, createdAt: row.created_at, updatedAt: row.updated_at,
});

export function createReviewAppStore(db: Db, apps: AppStore, pipelines: PipelineStore, events: EventStore): ReviewAppStore {
  const upsert = db.prepare(
    `INSERT INTO review_app_configs (pipeline_id, autodeploy, stale_days, env, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (pipeline_id) DO UPDATE SET autodeploy = excluded.autodeploy, stale_days = excluded.stale_days, env = excluded.env, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare('DELETE FROM review_app_configs WHERE pipeline_id = ?');
  const configRow = db.prepare<[string], ConfigRow>(
    'SELECT c.*, p.name AS pipeline_name FROM review_app_configs c JOIN pipelines p ON p.id = c.pipeline_id WHERE c.pipeline_id = ?',
  );
  const insert = db.prepare(
    'INSERT INTO review_apps (app_id, pipeline_id, parent_app_name, branch, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const touch = db.prepare('UPDATE review_apps SET updated_at = ? WHERE app_id = ?');
  const byBranch = db.prepare<[string, string], ReviewRow>(`${REVIEW_SELECT} WHERE r.pipeline_id = ? AND r.branch = ?`);
  const byApp = db.prepare<[string], ReviewRow>(`${REVIEW_SELECT} WHERE a.name = ?`);
  const all = db.prepare<[], ReviewRow>(`${REVIEW_SELECT} ORDER BY p.name, r.branch`);
  const ofPipeline = db.prepare<[string], ReviewRow>(`${REVIEW_SELECT} WHERE r.pipeline_id = ? ORDER BY r.branch`);
  const stale = db.prepare<[string], ReviewRow>(
    `${REVIEW_SELECT} JOIN review_app_configs c ON c.pipeline_id = r.pipeline_id
     WHERE c.stale_days IS NOT NULL AND julianday(r.updated_at) + c.stale_days < julianday(?)`,
  );
  const config = (pipeline: string): ReviewAppConfig | undefined => {
    const row = configRow.get(pipelines.require(pipeline).id);
    return row
      ? { pipelineId: row.pipeline_id, pipelineName: row.pipeline_name, autodeploy: row.autodeploy === 1, staleDays: row.stale_days, env: JSON.parse(row.env) as ConfigVars }
      : undefined;
  };
  return {
    enable: writer(db, (pipeline: string, settings: { autodeploy: boolean; staleDays: number | null; env: ConfigVars }, actor: string) => {
      const record = pipelines.require(pipeline);
      const at = now();
      upsert.run(record.id, settings.autodeploy ? 1 : 0, settings.staleDays, JSON.stringify(settings.env), at, at);
      events.record(null, actor, 'reviewapps.enable', { pipeline: record.name, autodeploy: settings.autodeploy, stale_days: settings.staleDays, keys: Object.keys(settings.env) });
      const result = config(record.id);
      if (!result) throw new Error('the review app settings just written are missing');
      return result;
    }),
    disable: writer(db, (pipeline: string, actor: string) => {
      const record = pipelines.require(pipeline);
      remove.run(record.id);
      events.record(null, actor, 'reviewapps.disable', { pipeline: record.name });
    }),
    config,
    record: writer(db, (input: { appName: string; pipeline: string; parentAppName: string; branch: string }) => {
      const at = now();
      insert.run(apps.require(input.appName).id, pipelines.require(input.pipeline).id, input.parentAppName, input.branch, at, at);
      const row = byApp.get(input.appName);
      if (!row) throw new Error('the review app just recorded is missing');
      return toReview(row);
    }),
    touch(appName) {
      touch.run(now(), apps.require(appName).id);
    },
    byBranch(pipeline, branch) {
      const row = byBranch.get(pipelines.require(pipeline).id, branch);
      return row ? toReview(row) : undefined;
    },
    byApp(appName) {
      const row = byApp.get(appName);
      return row ? toReview(row) : undefined;
    },
    list: (pipeline) => (pipeline === undefined ? all.all() : ofPipeline.all(pipelines.require(pipeline).id)).map(toReview),
    stale: (at) => stale.all(at.toISOString()).map(toReview),
  };
}
