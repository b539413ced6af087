import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { PaasError, backupDue, backupName, backupsToExpire } from '@paas/core';
import type { AddonRecord, BackupRecord, Store } from '@paas/store';

import type { AppLog } from '../deploy/release-deployer.js';
import type { Logger } from '../logger.js';
import type { AddonProvider } from './provider.js';

export interface AddonBackups {
  /** Starts a backup (dump, checksum, verify); `done` settles when it has finished either way. */
  capture(addon: AddonRecord, scheduled: boolean): { backup: BackupRecord; done: Promise<BackupRecord> };
  /** Replaces `target`'s data with a completed backup (of it or of another add-on), after checking its checksum. */
  restore(target: AddonRecord, backup: BackupRecord): Promise<void>;
  fileOf(backup: BackupRecord): string;
  remove(backup: BackupRecord): Promise<void>;
  /** Runs due scheduled backups now and then every `intervalMs`. */
  start(intervalMs?: number): void;
  close(): Promise<void>;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Backups of postgresql add-ons: `pg_dump -Fc` into `<data dir>/addons/<id>/backups`, a
 * sha256 of the file, and a verification that restores it into a scratch database and
 * counts tables and rows. Daily schedules keep the newest `retention` scheduled backups;
 * a scheduled backup that fails is said in the owning app's log stream.
 */
export function createAddonBackups(deps: { store: Store; provider: AddonProvider; dataDir: string; logger: Logger; appLog: AppLog; clock?: () => Date }): AddonBackups {
  const { store, provider, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  const running = new Set<Promise<unknown>>();
  const capability = (addon: AddonRecord) => {
    if (!provider.backups || addon.service !== 'postgresql') throw new PaasError('invalid_params', `${addon.name} is a ${addon.service} add-on: backups are for postgresql add-ons.`);
    if (addon.state !== 'provisioned') throw new PaasError('conflict', `${addon.name} is ${addon.state}.`);
    return provider.backups;
  };
  const fileOf = (backup: BackupRecord): string => join(deps.dataDir, 'addons', backup.addonId, 'backups', `${backupName(backup.number)}.dump`);

  async function run(addon: AddonRecord, backup: BackupRecord): Promise<BackupRecord> {
    const backups = capability(addon);
    const file = fileOf(backup);
    try {
      await backups.capture(addon.id, file);
      const [sha256, { size }] = await Promise.all([sha256File(file), stat(file)]);
      const { tables, rows } = await backups.verify(addon.id, file);
      return store.addons.finishBackup(backup.id, { file, size, sha256, tables, rows });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ err: error, addon: addon.id, backup: backup.number }, 'backup failed');
      await rm(file, { force: true });
      if (backup.scheduled) deps.appLog(addon.appName, 'addons', `Scheduled backup ${backupName(backup.number)} of ${addon.name} failed: ${message.slice(0, 500)}`);
      return store.addons.failBackup(backup.id, message);
    }
  }

  async function runSchedules(): Promise<void> {
    for (const addon of store.addons.list()) {
      if (addon.backupHour === null || addon.state !== 'provisioned') continue;
      const last = store.addons.backups(addon.id).find((b) => b.scheduled);
      if (!backupDue(addon.backupHour, clock(), last ? new Date(last.createdAt) : undefined)) continue;
      await service.capture(addon, true).done;
      for (const expired of backupsToExpire(store.addons.backups(addon.id), addon.backupRetention)) await service.remove(expired);
    }
  }

  const service: AddonBackups = {
    capture(addon, scheduled) {
      capability(addon);
      const backup = store.addons.startBackup(addon.id, scheduled, clock().toISOString());
      const done = run(addon, backup);
      running.add(done);
      void done.finally(() => running.delete(done));
      return { backup, done };
    },
    async restore(target, backup) {
      const backups = capability(target);
      if (backup.status !== 'completed' || backup.file === null) throw new PaasError('conflict', `Backup ${backupName(backup.number)} is ${backup.status}: only completed backups can be restored.`);
      const sha256 = await sha256File(backup.file).catch(() => undefined);
      if (sha256 !== backup.sha256) throw new PaasError('conflict', `Backup ${backupName(backup.number)}'s file does not match its checksum: it was not restored.`);
      await backups.restore(target.id, backup.file);
    },
    fileOf,
    async remove(backup) {
      if (backup.file) await rm(backup.file, { force: true });
      store.addons.removeBackup(backup.id);
    },
    start(intervalMs = 60_000) {
      const tick = (): void => {
        const pass = runSchedules().catch((error: unknown) => logger.error({ err: error }, 'scheduled backups failed'));
        running.add(pass);
        void pass.finally(() => running.delete(pass));
      };
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
  return service;
}
