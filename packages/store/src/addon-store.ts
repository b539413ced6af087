import { randomUUID } from 'node:crypto';

import { PaasError, attachmentConfigVar, notFound } from '@paas/core';
import type { Release } from '@paas/core';

import type { AppStore } from './app-store.js';
import type { Db } from './database.js';
import { isUniqueViolation, now, writer } from './database.js';
import type { DeployStore } from './deploy-store.js';
import type { EventStore } from './event-store.js';

export type AddonState = 'provisioning' | 'provisioned' | 'deprovisioning' | 'failed';

export interface AddonRecord {
  readonly id: string;
  readonly name: string;
  readonly appId: string;
  readonly appName: string;
  readonly service: string;
  readonly plan: string;
  readonly provider: string;
  readonly state: AddonState;
  readonly stateReason: string | null;
  /** UTC hour of the daily backup (`02:00 UTC` is 2), or null when none is scheduled. */
  readonly backupHour: number | null;
  readonly backupRetention: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AttachmentRecord {
  readonly id: string;
  readonly addonId: string;
  readonly addonName: string;
  readonly appId: string;
  readonly appName: string;
  /** `DATABASE`: the app's config var is `DATABASE_URL`. */
  readonly name: string;
  readonly bindingId: string;
  readonly createdAt: string;
}

export type BackupStatus = 'running' | 'completed' | 'failed';

export interface BackupRecord {
  readonly id: string;
  readonly addonId: string;
  readonly number: number;
  readonly scheduled: boolean;
  readonly status: BackupStatus;
  readonly file: string | null;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly verifiedTables: number | null;
  readonly verifiedRows: number | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface AddonStore {
  create(appName: string, input: { id: string; name: string; service: string; plan: string; provider: string }, actor: string): AddonRecord;
  /** By id or name. */
  get(idOrName: string): AddonRecord | undefined;
  require(idOrName: string): AddonRecord;
  /** All add-ons, or those an app owns. */
  list(appName?: string): AddonRecord[];
  setState(id: string, state: AddonState, reason?: string | null): AddonRecord;
  remove(id: string, actor: string): void;
  setSchedule(id: string, hour: number | null, retention: number, actor: string): AddonRecord;
  attachments(filter?: { addonId?: string; appName?: string }): AttachmentRecord[];
  requireAttachment(id: string): AttachmentRecord;
  /** Records the attachment and sets `<NAME>_URL` in one transaction: a new release. */
  attach(input: { addonId: string; appName: string; name: string; bindingId: string; url: string }, actor: string): { attachment: AttachmentRecord; release: Release | null };
  /** Removes the attachment and unsets its config var in one transaction: a new release. */
  detach(attachmentId: string, actor: string): { attachment: AttachmentRecord; release: Release | null };
  /** Points the attachment at new credentials and sets the new URL: a new release (rotation). */
  rebind(attachmentId: string, bindingId: string, url: string, actor: string): { attachment: AttachmentRecord; release: Release | null };
  /** `at` is when it was taken (the backup scheduler's clock); default now. */
  startBackup(addonId: string, scheduled: boolean, at?: string): BackupRecord;
  finishBackup(id: string, result: { file: string; size: number; sha256: string; tables: number; rows: number }): BackupRecord;
  failBackup(id: string, error: string): BackupRecord;
  backups(addonId: string): BackupRecord[];
  /** By number (`b003`, `3`) or id. */
  requireBackup(addonId: string, ref: string): BackupRecord;
  removeBackup(id: string): void;
}

interface AddonRow {
  id: string;
  name: string;
  app_id: string;
  app_name: string;
  service: string;
  plan: string;
  provider: string;
  state: AddonState;
  state_reason: string | null;
  backup_schedule: string | null;
  backup_retention: number;
  created_at: string;
  updated_at: string;
}
interface AttachmentRow {
  id: string;
  addon_id: string;
  addon_name: string;
  app_id: string;
  app_name: string;
  name: string;
  binding_id: string;
  created_at: string;
}
interface BackupRow {
  id: string;
  addon_id: string;
  number: number;
  scheduled: number;
  status: BackupStatus;
  file: string | null;
  size: number | null;
  sha256: string | null;
  verified_tables: number | null;
  verified_rows: number | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

const toAddon = (row: AddonRow): AddonRecord => ({
  id: row.id,
  name: row.name,
  appId: row.app_id,
  appName: row.app_name,
  service: row.service,
  plan: row.plan,
  provider: row.provider,
  state: row.state,
  stateReason: row.state_reason,
  backupHour: row.backup_schedule === null ? null : Number(row.backup_schedule),
  backupRetention: row.backup_retention,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
const toAttachment = (row: AttachmentRow): AttachmentRecord => ({
  id: row.id,
  addonId: row.addon_id,
  addonName: row.addon_name,
  appId: row.app_id,
  appName: row.app_name,
  name: row.name,
  bindingId: row.binding_id,
  createdAt: row.created_at,
});
const toBackup = (row: BackupRow): BackupRecord => ({
  id: row.id,
  addonId: row.addon_id,
  number: row.number,
  scheduled: row.scheduled === 1,
  status: row.status,
  file: row.file,
  size: row.size,
  sha256: row.sha256,
  verifiedTables: row.verified_tables,
  verifiedRows: row.verified_rows,
  error: row.error,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

const ADDON_SELECT = 'SELECT addons.*, apps.name AS app_name FROM addons JOIN apps ON apps.id = addons.app_id';
const ATTACHMENT_SELECT =
  'SELECT a.*, addons.name AS addon_name, apps.name AS app_name FROM addon_attachments a JOIN addons ON addons.id = a.addon_id JOIN apps ON apps.id = a.app_id';

/** Add-ons, attachments (whose URLs live only in config versions) and backups. */
export function createAddonStore(db: Db, apps: AppStore, deploys: DeployStore, events: EventStore): AddonStore {
  const byIdOrName = db.prepare<[string, string], AddonRow>(`${ADDON_SELECT} WHERE addons.id = ? OR addons.name = ?`);
  const all = db.prepare<[], AddonRow>(`${ADDON_SELECT} ORDER BY addons.name`);
  const ofApp = db.prepare<[string], AddonRow>(`${ADDON_SELECT} WHERE apps.name = ? ORDER BY addons.name`);
  const insert = db.prepare(
    'INSERT INTO addons (id, name, app_id, service, plan, provider, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const updateState = db.prepare('UPDATE addons SET state = ?, state_reason = ?, updated_at = ? WHERE id = ?');
  const updateSchedule = db.prepare('UPDATE addons SET backup_schedule = ?, backup_retention = ?, updated_at = ? WHERE id = ?');
  const deleteAddon = db.prepare('DELETE FROM addons WHERE id = ?');
  const attachmentById = db.prepare<[string], AttachmentRow>(`${ATTACHMENT_SELECT} WHERE a.id = ?`);
  const attachmentsAll = db.prepare<[], AttachmentRow>(`${ATTACHMENT_SELECT} ORDER BY apps.name, a.name`);
  const insertAttachment = db.prepare('INSERT INTO addon_attachments (id, addon_id, app_id, name, binding_id, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const deleteAttachment = db.prepare('DELETE FROM addon_attachments WHERE id = ?');
  const updateBinding = db.prepare('UPDATE addon_attachments SET binding_id = ? WHERE id = ?');
  const backupRows = db.prepare<[string], BackupRow>('SELECT * FROM addon_backups WHERE addon_id = ? ORDER BY number DESC');
  const backupById = db.prepare<[string], BackupRow>('SELECT * FROM addon_backups WHERE id = ?');
  const nextBackup = db.prepare<[string], { next: number }>('SELECT COALESCE(MAX(number), 0) + 1 AS next FROM addon_backups WHERE addon_id = ?');
  const insertBackup = db.prepare('INSERT INTO addon_backups (id, addon_id, number, scheduled, status, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const completeBackup = db.prepare(
    "UPDATE addon_backups SET status = 'completed', file = ?, size = ?, sha256 = ?, verified_tables = ?, verified_rows = ?, finished_at = ? WHERE id = ?",
  );
  const failBackup = db.prepare("UPDATE addon_backups SET status = 'failed', error = ?, finished_at = ? WHERE id = ?");
  const deleteBackup = db.prepare('DELETE FROM addon_backups WHERE id = ?');

  const require = (idOrName: string): AddonRecord => {
    const row = byIdOrName.get(idOrName, idOrName);
    if (!row) throw notFound('add-on', idOrName);
    return toAddon(row);
  };
  const requireAttachment = (id: string): AttachmentRecord => {
    const row = attachmentById.get(id);
    if (!row) throw notFound('add-on attachment', id);
    return toAttachment(row);
  };
  const backupOf = (id: string): BackupRecord => {
    const row = backupById.get(id);
    if (!row) throw notFound('backup', id);
    return toBackup(row);
  };

  return {
    create: writer(db, (appName: string, input: { id: string; name: string; service: string; plan: string; provider: string }, actor: string) => {
      const app = apps.require(appName);
      const at = now();
      try {
        insert.run(input.id, input.name, app.id, input.service, input.plan, input.provider, 'provisioning', at, at);
      } catch (error) {
        if (isUniqueViolation(error)) throw new PaasError('conflict', `An add-on named ${input.name} already exists: choose another --name.`);
        throw error;
      }
      events.record(app.name, actor, 'addon.create', { addon: input.name, service: input.service });
      return require(input.id);
    }),
    get: (idOrName) => {
      const row = byIdOrName.get(idOrName, idOrName);
      return row ? toAddon(row) : undefined;
    },
    require,
    list: (appName) => (appName === undefined ? all.all() : ofApp.all(apps.require(appName).name)).map(toAddon),
    setState: writer(db, (id: string, state: AddonState, reason: string | null = null) => {
      updateState.run(state, reason, now(), id);
      return require(id);
    }),
    remove: writer(db, (id: string, actor: string) => {
      const addon = require(id);
      deleteAddon.run(id);
      events.record(addon.appName, actor, 'addon.destroy', { addon: addon.name });
    }),
    setSchedule: writer(db, (id: string, hour: number | null, retention: number, actor: string) => {
      const addon = require(id);
      updateSchedule.run(hour === null ? null : String(hour), retention, now(), id);
      events.record(addon.appName, actor, hour === null ? 'addon.backups.unschedule' : 'addon.backups.schedule', { addon: addon.name, hour, retention });
      return require(id);
    }),
    attachments(filter = {}) {
      return attachmentsAll
        .all()
        .map(toAttachment)
        .filter((a) => (filter.addonId === undefined || a.addonId === filter.addonId) && (filter.appName === undefined || a.appName === filter.appName));
    },
    requireAttachment,
    attach: writer(db, (input: { addonId: string; appName: string; name: string; bindingId: string; url: string }, actor: string) => {
      const app = apps.require(input.appName);
      const addon = require(input.addonId);
      const id = randomUUID();
      try {
        insertAttachment.run(id, addon.id, app.id, input.name, input.bindingId, now());
      } catch (error) {
        if (isUniqueViolation(error)) throw new PaasError('conflict', `${app.name} already has an attachment named ${input.name}: choose another with --as.`);
        throw error;
      }
      events.record(app.name, actor, 'addon.attach', { addon: addon.name, attachment: input.name });
      const { release } = deploys.updateConfig(app.name, { [attachmentConfigVar(input.name)]: input.url }, actor);
      return { attachment: requireAttachment(id), release };
    }),
    detach: writer(db, (attachmentId: string, actor: string) => {
      const attachment = requireAttachment(attachmentId);
      deleteAttachment.run(attachmentId);
      events.record(attachment.appName, actor, 'addon.detach', { addon: attachment.addonName, attachment: attachment.name });
      const { release } = deploys.updateConfig(attachment.appName, { [attachmentConfigVar(attachment.name)]: null }, actor);
      return { attachment, release };
    }),
    rebind: writer(db, (attachmentId: string, bindingId: string, url: string, actor: string) => {
      const attachment = requireAttachment(attachmentId);
      updateBinding.run(bindingId, attachmentId);
      events.record(attachment.appName, actor, 'addon.credentials.rotate', { addon: attachment.addonName, attachment: attachment.name });
      const { release } = deploys.updateConfig(attachment.appName, { [attachmentConfigVar(attachment.name)]: url }, actor);
      return { attachment: requireAttachment(attachmentId), release };
    }),
    startBackup: writer(db, (addonId: string, scheduled: boolean, at?: string) => {
      const id = randomUUID();
      insertBackup.run(id, addonId, nextBackup.get(addonId)?.next ?? 1, scheduled ? 1 : 0, 'running', at ?? now());
      return backupOf(id);
    }),
    finishBackup: writer(db, (id: string, result: { file: string; size: number; sha256: string; tables: number; rows: number }) => {
      completeBackup.run(result.file, result.size, result.sha256, result.tables, result.rows, now(), id);
      return backupOf(id);
    }),
    failBackup: writer(db, (id: string, error: string) => {
      failBackup.run(error.slice(0, 2000), now(), id);
      return backupOf(id);
    }),
    backups: (addonId) => backupRows.all(addonId).map(toBackup),
    requireBackup(addonId, ref) {
      const number = /^b?0*(\d+)$/i.exec(ref)?.[1];
      const found = backupRows.all(addonId).find((row) => (number !== undefined && row.number === Number(number)) || row.id === ref);
      if (!found) throw notFound('backup', ref);
      return toBackup(found);
    },
    removeBackup: writer(db, (id: string) => {
      deleteBackup.run(id);
    }),
  };
}
