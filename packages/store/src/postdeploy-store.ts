import type { AppStore } from './app-store.js';
import type { Db } from './database.js';
import { now, writer } from './database.js';

/** The app.json `postdeploy` script: run once per app, after the first deploy made from app.json. */
export interface PostdeployStore {
  /** Claims the one run for the app; false when it was claimed before (it never runs twice). */
  claim(appName: string, releaseVersion: number): boolean;
  finish(appName: string, exitCode: number | null): void;
  get(appName: string): { releaseVersion: number; exitCode: number | null; finishedAt: string | null } | undefined;
}

interface PostdeployRow {
  release_version: number;
  exit_code: number | null;
  finished_at: string | null;
}

export function createPostdeployStore(db: Db, apps: AppStore): PostdeployStore {
  const insert = db.prepare('INSERT OR IGNORE INTO app_postdeploys (app_id, release_version, created_at) VALUES (?, ?, ?)');
  const finish = db.prepare('UPDATE app_postdeploys SET exit_code = ?, finished_at = ? WHERE app_id = ?');
  const byApp = db.prepare<[string], PostdeployRow>('SELECT release_version, exit_code, finished_at FROM app_postdeploys WHERE app_id = ?');
  return {
    claim: writer(db, (appName: string, releaseVersion: number) => insert.run(apps.require(appName).id, releaseVersion, now()).changes === 1),
    finish: writer(db, (appName: string, exitCode: number | null) => {
      finish.run(exitCode, now(), apps.require(appName).id);
    }),
    get(appName) {
      const row = byApp.get(apps.require(appName).id);
      return row ? { releaseVersion: row.release_version, exitCode: row.exit_code, finishedAt: row.finished_at } : undefined;
    },
  };
}
