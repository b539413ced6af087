import { randomUUID } from 'node:crypto';

import { PaasError, notFound } from '@paas/core';
import type { Release } from '@paas/core';

import type { Db } from './database.js';
import { isUniqueViolation, now, writer } from './database.js';
import type { EventStore } from './event-store.js';
import type { ReleaseRows } from './release-store.js';

export interface AppRecord {
  readonly id: string;
  readonly name: string;
  readonly maintenance: boolean;
  /** Automatic certificates (ACME) for the app's custom domains. */
  readonly acm: boolean;
  /** Plain HTTP requests to the app are redirected to HTTPS. */
  readonly redirectHttps: boolean;
  /** Buildpacks set for the app; empty means "detect". */
  readonly buildpacks: readonly string[];
  /** Version of the release that is live. Exactly one per app. */
  readonly currentRelease: number;
  /** The config version the next change or release builds on. */
  readonly configVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface AppRow {
  id: string;
  name: string;
  maintenance: number;
  acm: number;
  redirect_https: number;
  buildpacks: string;
  current_release: number;
  config_version: number;
  created_at: string;
  updated_at: string;
}

export interface AppStore {
  create(name: string, actor: string): { app: AppRecord; release: Release };
  get(name: string): AppRecord | undefined;
  /** Like `get`, but a missing app is a 404 that names it. */
  require(name: string): AppRecord;
  list(): AppRecord[];
  destroy(name: string, actor: string): AppRecord;
  setMaintenance(name: string, on: boolean, actor: string): AppRecord;
  setBuildpacks(name: string, buildpacks: readonly string[], actor: string): AppRecord;
  /** Gives the app a new name; its audit log follows it. `conflict` when the name is taken. */
  rename(name: string, newName: string, actor: string): AppRecord;
  setAcm(name: string, on: boolean, actor: string): AppRecord;
  setRedirectHttps(name: string, on: boolean, actor: string): AppRecord;
}

export function toApp(row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name,
    maintenance: row.maintenance === 1,
    acm: row.acm === 1,
    redirectHttps: row.redirect_https === 1,
    buildpacks: JSON.parse(row.buildpacks) as string[],
    currentRelease: row.current_release,
    configVersion: row.config_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createAppStore(db: Db, releases: ReleaseRows, events: EventStore): AppStore {
  const insertApp = db.prepare(
    `INSERT INTO apps (id, name, current_release, config_version, created_at, updated_at) VALUES (?, ?, 1, 1, ?, ?)`,
  );
  const insertConfig = db.prepare(
    'INSERT INTO config_versions (app_id, version, vars, created_at) VALUES (?, 1, ?, ?)',
  );
  const byName = db.prepare<[string], AppRow>('SELECT * FROM apps WHERE name = ?');
  const all = db.prepare<[], AppRow>('SELECT * FROM apps ORDER BY name');
  const remove = db.prepare('DELETE FROM apps WHERE id = ?');
  const unlinkBuilds = db.prepare('DELETE FROM builds WHERE app_id = ?');
  const unlinkReleases = db.prepare('DELETE FROM releases WHERE app_id = ?');
  const setMaintenance = db.prepare('UPDATE apps SET maintenance = ?, updated_at = ? WHERE id = ?');
  const setBuildpacks = db.prepare('UPDATE apps SET buildpacks = ?, updated_at = ? WHERE id = ?');
  const setName = db.prepare('UPDATE apps SET name = ?, updated_at = ? WHERE id = ?');
  const moveEvents = db.prepare('UPDATE events SET app_name = ? WHERE app_name = ?');
  const setAcm = db.prepare('UPDATE apps SET acm = ?, updated_at = ? WHERE id = ?');
  const dropAcmCertificates = db.prepare("DELETE FROM certificates WHERE app_id = ? AND source = 'acm'");
  const dropAcmHosts = db.prepare('DELETE FROM acm_hosts WHERE app_id = ?');
  const setRedirect = db.prepare('UPDATE apps SET redirect_https = ?, updated_at = ? WHERE id = ?');

  const get = (name: string): AppRecord | undefined => {
    const row = byName.get(name);
    return row ? toApp(row) : undefined;
  };
  const requireApp = (name: string): AppRecord => {
    const app = get(name);
    if (!app) throw notFound('app', name);
    return app;
  };

  const create = writer(db, (name: string, actor: string) => {
    const id = randomUUID();
    const at = now();
    try {
      insertApp.run(id, name, at, at);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new PaasError('conflict', `Name ${name} is already taken: choose another app name.`);
      }
      throw error;
    }
    insertConfig.run(id, '{}', at);
    const release = releases.insert({
      appId: id,
      slugId: null,
      configVersion: 1,
      description: 'Initial release',
      actor,
      status: 'succeeded',
    });
    events.record(name, actor, 'app.create', { release: release.version });
    return { app: requireApp(name), release };
  });

  const destroy = writer(db, (name: string, actor: string) => {
    const app = requireApp(name);
    // Builds and releases point at slugs; remove them first so the cascade finds no references.
    unlinkBuilds.run(app.id);
    unlinkReleases.run(app.id);
    remove.run(app.id);
    events.record(name, actor, 'app.destroy');
    return app;
  });

  return {
    create,
    get,
    require: requireApp,
    list: () => all.all().map(toApp),
    destroy,
    setMaintenance: writer(db, (name: string, on: boolean, actor: string) => {
      const app = requireApp(name);
      setMaintenance.run(on ? 1 : 0, now(), app.id);
      events.record(name, actor, on ? 'maintenance.on' : 'maintenance.off');
      return requireApp(name);
    }),
    rename: writer(db, (name: string, newName: string, actor: string) => {
      const app = requireApp(name);
      try {
        setName.run(newName, now(), app.id);
      } catch (error) {
        if (isUniqueViolation(error)) throw new PaasError('conflict', `Name ${newName} is already taken: choose another app name.`);
        throw error;
      }
      moveEvents.run(newName, name);
      events.record(newName, actor, 'app.rename', { from: name, to: newName });
      return requireApp(newName);
    }),
    setBuildpacks: writer(db, (name: string, buildpacks: readonly string[], actor: string) => {
      const app = requireApp(name);
      setBuildpacks.run(JSON.stringify(buildpacks), now(), app.id);
      events.record(name, actor, 'buildpacks.set', { buildpacks: [...buildpacks] });
      return requireApp(name);
    }),
    setAcm: writer(db, (name: string, on: boolean, actor: string) => {
      const app = requireApp(name);
      setAcm.run(on ? 1 : 0, now(), app.id);
      if (!on) {
        // As on Heroku: turning ACM off removes the certificates it issued.
        dropAcmCertificates.run(app.id);
        dropAcmHosts.run(app.id);
      }
      events.record(name, actor, on ? 'acm.enable' : 'acm.disable');
      return requireApp(name);
    }),
    setRedirectHttps: writer(db, (name: string, on: boolean, actor: string) => {
      const app = requireApp(name);
      setRedirect.run(on ? 1 : 0, now(), app.id);
      events.record(name, actor, on ? 'redirect_https.on' : 'redirect_https.off');
      return requireApp(name);
    }),
  };
}
