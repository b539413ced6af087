import { DEFAULT_SIZE, applyConfigPatch, applyFormationUpdates, defaultQuantity, checkRollbackTarget, describeConfigChange, describeRollback, formationFor, notFound, parseReleaseVersion } from '@paas/core';
import type { ConfigPatch, ConfigVars, FormationEntry, FormationUpdate, ProcessSize, Release, ReleaseStatus } from '@paas/core';

import type { AppRecord, AppStore } from './app-store.js';
import type { Db } from './database.js';
import { now, writer } from './database.js';
import type { EventStore } from './event-store.js';
import type { ReleaseListing, ReleaseRows } from './release-store.js';
import type { SlugRecord, SlugRecordStore } from './slug-records.js';

/**
 * What makes releases: config changes, deploys of a new slug, rollbacks, and the
 * formation they run with. Every change here is one write transaction that also
 * records its audit event.
 */
export interface DeployStore {
  configOf(app: AppRecord, version?: number): ConfigVars;
  /** Applies a patch; `release` is null when nothing changed (then nothing is written). */
  updateConfig(appName: string, patch: ConfigPatch, actor: string): { vars: ConfigVars; release: Release | null };
  /**
   * A new release of `slugId` with the app's current config, plus `configPatch` when given
   * (app.json's env: a new config version in the same transaction, so one release).
   */
  createRelease(appName: string, input: NewDeployRelease): Release;
  rollback(appName: string, target: string, actor: string): Release;
  /**
   * Marks a pending release. One that succeeded becomes the current one (never an older
   * one over a newer). The config pointer never moves here: it moved when the release was
   * made, and changes made since then stay.
   */
  finishRelease(appName: string, version: number, outcome: ReleaseOutcome): Release;
  /** The newest pending release of an app, if any. */
  newestPending(appName: string): Release | undefined;
  /**
   * Releases left pending by a paasd that stopped mid-deploy. Per app, the newest is
   * deployed again when its code has gone live before (a config change or a rollback,
   * which its user was told had been made); new code from an interrupted push fails (the
   * push was refused). Older pending ones are superseded.
   */
  settlePending(): { resume: { app: string; version: number }[]; failed: { app: string; version: number }[] };
  listReleases(appName: string): Release[];
  /** The releases list, newest first, each with its slug's id and commit and whether it has output. */
  listReleasesWithSlugs(appName: string): ReleaseListing[];
  findRelease(appName: string, versionOrId: string): Release;
  currentRelease(appName: string): Release;
  currentSlug(appName: string): SlugRecord | undefined;
  formation(appName: string): FormationEntry[];
  /** The formation a release with these process types would run with (stored quantities, else defaults). */
  formationFor(appName: string, processTypes: readonly string[]): FormationEntry[];
  updateFormation(appName: string, updates: readonly FormationUpdate[], actor: string): FormationEntry[];
}

export interface NewDeployRelease {
  readonly slugId: string;
  readonly description: string;
  readonly actor: string;
  readonly status?: ReleaseStatus;
  readonly configPatch?: ConfigPatch;
  /**
   * app.json's formation: written for the slug's types the app has no formation row for yet,
   * so it applies once and never undoes a `ps:scale`.
   */
  readonly initialFormation?: Readonly<Record<string, { readonly quantity?: number; readonly size?: ProcessSize }>>;
}

export type ReleaseOutcome =
  | { readonly status: 'succeeded' }
  | { readonly status: 'failed' | 'superseded'; readonly reason: string };

interface ConfigRow {
  vars: string;
}
interface FormationRow {
  type: string;
  quantity: number;
  size: ProcessSize;
}

export function createDeployStore(
  db: Db,
  apps: AppStore,
  releases: ReleaseRows,
  slugs: SlugRecordStore,
  events: EventStore,
): DeployStore {
  const configRow = db.prepare<[string, number], ConfigRow>(
    'SELECT vars FROM config_versions WHERE app_id = ? AND version = ?',
  );
  const nextConfigVersion = db.prepare<[string], { next: number }>(
    'SELECT COALESCE(MAX(version), 0) + 1 AS next FROM config_versions WHERE app_id = ?',
  );
  const insertConfig = db.prepare('INSERT INTO config_versions (app_id, version, vars, created_at) VALUES (?, ?, ?, ?)');
  const pointApp = db.prepare(
    'UPDATE apps SET current_release = ?, config_version = ?, updated_at = ? WHERE id = ?',
  );
  const pointConfig = db.prepare('UPDATE apps SET config_version = ?, updated_at = ? WHERE id = ?');
  const pointRelease = db.prepare('UPDATE apps SET current_release = ?, updated_at = ? WHERE id = ? AND current_release < ?');
  const formationRows = db.prepare<[string], FormationRow>('SELECT type, quantity, size FROM formation WHERE app_id = ?');
  const upsertFormation = db.prepare(
    `INSERT INTO formation (app_id, type, quantity, size, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (app_id, type) DO UPDATE SET quantity = excluded.quantity, size = excluded.size, updated_at = excluded.updated_at`,
  );

  const configOf = (app: AppRecord, version = app.configVersion): ConfigVars => {
    const row = configRow.get(app.id, version);
    if (!row) throw new Error(`config version ${String(version)} of ${app.name} is missing`);
    return JSON.parse(row.vars) as ConfigVars;
  };
  const releaseOf = (app: AppRecord, version: number): Release => {
    const release = releases.byVersion(app.id, version);
    if (!release) throw notFound('release', `v${String(version)}`);
    return release;
  };
  const findRelease = (app: AppRecord, versionOrId: string): Release | undefined => {
    const version = parseReleaseVersion(versionOrId);
    return version === undefined ? releases.byId(app.id, versionOrId) : releases.byVersion(app.id, version);
  };
  const slugOf = (release: Release): SlugRecord | undefined =>
    release.slugId === null ? undefined : slugs.get(release.slugId);
  const formationOf = (app: AppRecord): FormationEntry[] => {
    const slug = slugOf(releaseOf(app, app.currentRelease));
    return formationFor(Object.keys(slug?.processTypes ?? {}), formationRows.all(app.id));
  };
  /**
   * Inserts a release. One with code to run is `pending` until the process manager has
   * deployed it; one without (before the first deploy) succeeds at once. Either way the
   * config pointer moves now, so a config change is never lost to a failed deploy.
   */
  const addRelease = (app: AppRecord, input: Omit<Parameters<ReleaseRows['insert']>[0], 'appId' | 'status'> & { status?: ReleaseStatus }): Release => {
    const status = input.status ?? (input.slugId === null ? 'succeeded' : 'pending');
    const release = releases.insert({ ...input, status, appId: app.id });
    if (release.status === 'succeeded') pointApp.run(release.version, release.configVersion, now(), app.id);
    else pointConfig.run(release.configVersion, now(), app.id);
    events.record(app.name, input.actor, 'release.create', {
      version: release.version,
      description: release.description,
    });
    return release;
  };

  return {
    configOf,
    updateConfig: writer(db, (appName: string, patch: ConfigPatch, actor: string) => {
      const app = apps.require(appName);
      const change = applyConfigPatch(configOf(app), patch);
      if (change.set.length === 0 && change.unset.length === 0) return { vars: change.next, release: null };
      const version = nextConfigVersion.get(app.id)?.next ?? 1;
      insertConfig.run(app.id, version, JSON.stringify(change.next), now());
      events.record(app.name, actor, 'config.update', { set: change.set, unset: change.unset, config_version: version });
      // The code of the newest release that may still go live: a config change made while
      // a push rolls out must carry the pushed code, not take the app back to the old one.
      const base = releases.newestViable(app.id) ?? releaseOf(app, app.currentRelease);
      const release = addRelease(app, {
        slugId: base.slugId,
        configVersion: version,
        description: describeConfigChange(change.set, change.unset),
        actor,
      });
      return { vars: change.next, release };
    }),
    createRelease: writer(db, (appName: string, input: NewDeployRelease) => {
      const app = apps.require(appName);
      const slug = slugs.get(input.slugId);
      if (!slug) throw notFound('slug', input.slugId);
      if (input.initialFormation) {
        const stored = new Set(formationRows.all(app.id).map((row) => row.type));
        for (const [type, entry] of Object.entries(input.initialFormation)) {
          if (stored.has(type) || !Object.hasOwn(slug.processTypes, type) || type === 'release') continue;
          upsertFormation.run(app.id, type, entry.quantity ?? defaultQuantity(type), entry.size ?? DEFAULT_SIZE, now());
        }
      }
      let configVersion = app.configVersion;
      const change = input.configPatch ? applyConfigPatch(configOf(app), input.configPatch) : undefined;
      if (change && (change.set.length > 0 || change.unset.length > 0)) {
        configVersion = nextConfigVersion.get(app.id)?.next ?? 1;
        insertConfig.run(app.id, configVersion, JSON.stringify(change.next), now());
        events.record(app.name, input.actor, 'config.update', { set: change.set, unset: change.unset, config_version: configVersion });
      }
      return addRelease(app, {
        slugId: input.slugId,
        configVersion,
        description: input.description,
        actor: input.actor,
        ...(input.status ? { status: input.status } : {}),
      });
    }),
    rollback: writer(db, (appName: string, target: string, actor: string) => {
      const app = apps.require(appName);
      const wanted = checkRollbackTarget(findRelease(app, target), target, releaseOf(app, app.currentRelease));
      // Config versions only grow: the rolled-back config becomes the newest version, so
      // the app's config is always its newest version and a later change builds on it.
      const vars = configOf(app, wanted.configVersion);
      let configVersion = app.configVersion;
      if (JSON.stringify(vars) !== JSON.stringify(configOf(app))) {
        configVersion = nextConfigVersion.get(app.id)?.next ?? 1;
        insertConfig.run(app.id, configVersion, JSON.stringify(vars), now());
      }
      return addRelease(app, {
        slugId: wanted.slugId,
        configVersion,
        description: describeRollback(wanted.version),
        actor,
      });
    }),
    finishRelease: writer(db, (appName: string, version: number, outcome: ReleaseOutcome) => {
      const app = apps.require(appName);
      const release = releaseOf(app, version);
      releases.setStatus(release.id, outcome.status, outcome.status === 'succeeded' ? undefined : outcome.reason);
      if (outcome.status === 'succeeded') pointRelease.run(release.version, now(), app.id, release.version);
      return releaseOf(app, version);
    }),
    newestPending(appName) {
      return releases.pending(apps.require(appName).id).at(-1);
    },
    settlePending: writer(db, () => {
      const resume: { app: string; version: number }[] = [];
      const failed: { app: string; version: number }[] = [];
      const names = new Map(apps.list().map((app) => [app.id, app.name]));
      const byApp = new Map<string, Release[]>();
      for (const release of releases.pending()) byApp.set(release.appId, [...(byApp.get(release.appId) ?? []), release]);
      for (const [appId, pending] of byApp) {
        const app = names.get(appId);
        const newest = pending.at(-1);
        if (app === undefined || !newest) continue;
        const resumes = newest.slugId === null || releases.slugWentLive(appId, newest.slugId);
        for (const release of pending) {
          if (release === newest && resumes) resume.push({ app, version: release.version });
          else if (release !== newest && resumes) releases.setStatus(release.id, 'superseded', `superseded by v${String(newest.version)}`);
          else {
            releases.setStatus(release.id, 'failed', 'paas stopped before this release went live');
            failed.push({ app, version: release.version });
          }
        }
      }
      return { resume, failed };
    }),
    listReleases: (appName) => releases.list(apps.require(appName).id),
    listReleasesWithSlugs: (appName) => releases.listing(apps.require(appName).id),
    findRelease(appName, versionOrId) {
      const release = findRelease(apps.require(appName), versionOrId);
      if (!release) throw notFound('release', versionOrId);
      return release;
    },
    currentRelease(appName) {
      const app = apps.require(appName);
      return releaseOf(app, app.currentRelease);
    },
    currentSlug(appName) {
      const app = apps.require(appName);
      return slugOf(releaseOf(app, app.currentRelease));
    },
    formation: (appName) => formationOf(apps.require(appName)),
    formationFor: (appName, processTypes) => formationFor(processTypes, formationRows.all(apps.require(appName).id)),
    updateFormation: writer(db, (appName: string, updates: readonly FormationUpdate[], actor: string) => {
      const app = apps.require(appName);
      const next = applyFormationUpdates(formationOf(app), updates);
      const at = now();
      const changed = new Set(updates.map((update) => update.type));
      for (const entry of next) {
        if (changed.has(entry.type)) upsertFormation.run(app.id, entry.type, entry.quantity, entry.size, at);
      }
      events.record(app.name, actor, 'formation.update', {
        updates: next.filter((entry) => changed.has(entry.type)).map(({ type, quantity, size }) => ({ type, quantity, size })),
      });
      return next;
    }),
  };
}
