import { notFound } from '@paas/core';

import type { Db } from './database.js';
import { now, writer } from './database.js';
import type { EventStore } from './event-store.js';

/** Heroku's app permissions, each a step up: view < deploy < operate < manage. */
export const APP_PERMISSIONS = ['view', 'deploy', 'operate', 'manage'] as const;
export type AppPermission = (typeof APP_PERMISSIONS)[number];

export interface AppAccessRecord {
  readonly appId: string;
  readonly appName: string;
  readonly userId: string;
  readonly email: string;
  readonly permissions: readonly AppPermission[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface AccessRow {
  app_id: string;
  app_name: string;
  user_id: string;
  email: string;
  permissions: string;
  created_at: string;
  updated_at: string;
}

export interface AppAccessStore {
  /** Gives (or changes) a user's permissions on an app. */
  grant(app: { id: string; name: string }, user: { id: string; email: string }, permissions: readonly AppPermission[], actor: string): AppAccessRecord;
  revoke(app: { id: string; name: string }, user: { id: string; email: string }, actor: string): void;
  list(appId: string): AppAccessRecord[];
  /** The user's permissions on the app, or undefined when they were given none. */
  permissionsOf(appId: string, userId: string): readonly AppPermission[] | undefined;
  /** The ids of the apps a user was given. */
  appIdsOf(userId: string): Set<string>;
}

const SELECT = 'SELECT a.*, apps.name AS app_name, users.email FROM app_access a JOIN apps ON apps.id = a.app_id JOIN users ON users.id = a.user_id';

const toRecord = (row: AccessRow): AppAccessRecord => ({
  appId: row.app_id,
  appName: row.app_name,
  userId: row.user_id,
  email: row.email,
  permissions: row.permissions.split(',').filter((p): p is AppPermission => (APP_PERMISSIONS as readonly string[]).includes(p)),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function createAppAccessStore(db: Db, events: EventStore): AppAccessStore {
  const upsert = db.prepare(
    'INSERT INTO app_access (app_id, user_id, permissions, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, user_id) DO UPDATE SET permissions = excluded.permissions, updated_at = excluded.updated_at',
  );
  const one = db.prepare<[string, string], AccessRow>(`${SELECT} WHERE a.app_id = ? AND a.user_id = ?`);
  const ofApp = db.prepare<[string], AccessRow>(`${SELECT} WHERE a.app_id = ? ORDER BY users.email`);
  const ofUser = db.prepare<[string], { app_id: string }>('SELECT app_id FROM app_access WHERE user_id = ?');
  const remove = db.prepare('DELETE FROM app_access WHERE app_id = ? AND user_id = ?');
  return {
    grant: writer(db, (app: { id: string; name: string }, user: { id: string; email: string }, permissions: readonly AppPermission[], actor: string) => {
      const at = now();
      upsert.run(app.id, user.id, permissions.join(','), at, at);
      events.record(app.name, actor, 'access.add', { user: user.email, permissions: [...permissions] });
      const row = one.get(app.id, user.id);
      if (!row) throw notFound('collaborator', user.email);
      return toRecord(row);
    }),
    revoke: writer(db, (app: { id: string; name: string }, user: { id: string; email: string }, actor: string) => {
      if (remove.run(app.id, user.id).changes === 0) throw notFound('collaborator', user.email);
      events.record(app.name, actor, 'access.remove', { user: user.email });
    }),
    list: (appId) => ofApp.all(appId).map(toRecord),
    permissionsOf(appId, userId) {
      const row = one.get(appId, userId);
      return row ? toRecord(row).permissions : undefined;
    },
    appIdsOf: (userId) => new Set(ofUser.all(userId).map((row) => row.app_id)),
  };
}
