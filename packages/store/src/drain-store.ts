import { randomUUID } from 'node:crypto';

import { PaasError, invalidParams, notFound } from '@paas/core';

import type { Db } from './database.js';
import { isUniqueViolation, now, writer } from './database.js';
import type { EventStore } from './event-store.js';

/** Heroku's limit: a few drains per app keep fan-out cheap. */
export const MAX_DRAINS_PER_APP = 5;

export interface DrainRecord {
  readonly id: string;
  readonly appId: string;
  readonly url: string;
  /** Sent with every frame so the receiver can tell drains apart. */
  readonly token: string;
  readonly createdAt: string;
}

interface DrainRow {
  id: string;
  app_id: string;
  url: string;
  token: string;
  created_at: string;
}

export interface DrainStore {
  add(app: { id: string; name: string }, url: string, actor: string): DrainRecord;
  list(appId: string): DrainRecord[];
  /** Removes by id, by URL or by token. */
  remove(app: { id: string; name: string }, idOrUrl: string, actor: string): DrainRecord;
}

const toDrain = (row: DrainRow): DrainRecord => ({
  id: row.id,
  appId: row.app_id,
  url: row.url,
  token: row.token,
  createdAt: row.created_at,
});

export function createDrainStore(db: Db, events: EventStore): DrainStore {
  const count = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM drains WHERE app_id = ?');
  const insert = db.prepare('INSERT INTO drains (id, app_id, url, token, created_at) VALUES (?, ?, ?, ?, ?)');
  const list = db.prepare<[string], DrainRow>('SELECT * FROM drains WHERE app_id = ? ORDER BY created_at, rowid');
  const find = db.prepare<[string, string, string, string], DrainRow>(
    'SELECT * FROM drains WHERE app_id = ? AND (id = ? OR url = ? OR token = ?)',
  );
  const remove = db.prepare('DELETE FROM drains WHERE id = ?');
  return {
    add: writer(db, (app: { id: string; name: string }, url: string, actor: string) => {
      if ((count.get(app.id)?.n ?? 0) >= MAX_DRAINS_PER_APP) {
        throw invalidParams(`${app.name} has ${String(MAX_DRAINS_PER_APP)} drains already, the most an app may have: remove one first.`);
      }
      const drain = { id: randomUUID(), appId: app.id, url, token: `d.${randomUUID()}`, createdAt: now() };
      try {
        insert.run(drain.id, drain.appId, drain.url, drain.token, drain.createdAt);
      } catch (error) {
        if (isUniqueViolation(error)) throw new PaasError('conflict', `That drain is already attached to ${app.name}.`);
        throw error;
      }
      events.record(app.name, actor, 'drain.add', { drain: drain.id });
      return drain;
    }),
    list: (appId) => list.all(appId).map(toDrain),
    remove: writer(db, (app: { id: string; name: string }, idOrUrl: string, actor: string) => {
      const row = find.get(app.id, idOrUrl, idOrUrl, idOrUrl);
      if (!row) throw notFound('drain', idOrUrl);
      remove.run(row.id);
      events.record(app.name, actor, 'drain.remove', { drain: row.id });
      return toDrain(row);
    }),
  };
}
