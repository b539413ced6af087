import type { MinuteMetrics } from '@paas/core';

import type { Db } from './database.js';
import { now } from './database.js';

/** Per-minute metrics and per-release observations, stored as JSON documents the core rules read. */
export interface MetricStore {
  /** Writes each app's minutes (replacing a minute written before). */
  saveMinutes(rows: readonly { appId: string; metrics: MinuteMetrics }[]): void;
  minutes(appId: string, sinceMinute: number): MinuteMetrics[];
  /** Removes minutes older than `beforeMinute`; returns how many. */
  prune(beforeMinute: number): number;
  observations(appId: string, version: number): unknown;
  saveObservations(appId: string, version: number, data: unknown): void;
}

export function createMetricStore(db: Db): MetricStore {
  const upsert = db.prepare('INSERT INTO metric_minutes (app_id, minute, data) VALUES (?, ?, ?) ON CONFLICT (app_id, minute) DO UPDATE SET data = excluded.data');
  const since = db.prepare<[string, number], { data: string }>('SELECT data FROM metric_minutes WHERE app_id = ? AND minute >= ? ORDER BY minute');
  const prune = db.prepare('DELETE FROM metric_minutes WHERE minute < ?');
  const readObs = db.prepare<[string, number], { data: string }>('SELECT data FROM release_observations WHERE app_id = ? AND version = ?');
  const writeObs = db.prepare(
    'INSERT INTO release_observations (app_id, version, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (app_id, version) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at',
  );
  const saveMany = db.transaction((rows: readonly { appId: string; metrics: MinuteMetrics }[]) => {
    for (const { appId, metrics } of rows) upsert.run(appId, metrics.minute, JSON.stringify(metrics));
  });
  return {
    saveMinutes: (rows) => {
      if (rows.length > 0) saveMany.immediate(rows);
    },
    minutes: (appId, sinceMinute) => since.all(appId, sinceMinute).map((row) => JSON.parse(row.data) as MinuteMetrics),
    prune: (beforeMinute) => prune.run(beforeMinute).changes,
    observations: (appId, version) => {
      const row = readObs.get(appId, version);
      return row === undefined ? undefined : (JSON.parse(row.data) as unknown);
    },
    saveObservations: (appId, version, data) => {
      writeObs.run(appId, version, JSON.stringify(data), now());
    },
  };
}
