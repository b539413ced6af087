import { PaasError, backupName } from '@paas/core';
import type { AddonRecord, BackupRecord, Store } from '@paas/store';

import type { AppLog } from '../deploy/release-deployer.js';
import type { AddonBackups } from './addon-backups.js';
import type { AddonProvider } from './provider.js';

export interface AddonUpgradeDeps {
  readonly store: Store;
  readonly provider: AddonProvider;
  readonly backups: AddonBackups;
  readonly appLog: AppLog;
}

export interface UpgradeOutcome {
  readonly from: number;
  readonly to: number;
  /** The backup taken (and verified) before anything changed. */
  readonly backup: BackupRecord;
  /** Where the old cluster is kept, for undoing by hand. */
  readonly kept: string;
}

/**
 * `pg:upgrade`: a postgresql add-on moved to a newer major by dump and restore, the dump
 * being a backup like `pg:backups:capture`'s (checksummed, verified) and listed with them.
 * The credentials stay the same, so no attached app needs a release.
 */
export async function upgradeAddon(deps: AddonUpgradeDeps, addon: AddonRecord, major: number, actor: string): Promise<UpgradeOutcome> {
  const { store, provider, backups } = deps;
  if (addon.service !== 'postgresql') throw new PaasError('invalid_params', `${addon.name} is a ${addon.service} add-on: pg:upgrade is for postgresql add-ons.`);
  if (addon.state !== 'provisioned') throw new PaasError('conflict', `${addon.name} is ${addon.state}${addon.stateReason ? ` (${addon.stateReason})` : ''}: nothing was changed.`);
  const capability = provider.majorUpgrade;
  if (!capability) {
    throw new PaasError(
      'invalid_params',
      `${addon.name} runs in a container whose image carries one PostgreSQL major: pg:upgrade is for add-ons on the local runtime. To move to another major, capture a backup (paas pg:backups:capture), create a new add-on and restore the backup into it. Nothing was changed.`,
    );
  }
  let backup: BackupRecord | undefined;
  const result = await capability.upgrade(addon.id, major, async () => {
    backup = await backups.capture(addon, false).done;
    if (backup.status !== 'completed' || backup.file === null || backup.verifiedTables === null || backup.verifiedRows === null) {
      throw new PaasError('conflict', `The snapshot before the upgrade (${backupName(backup.number)}) failed: ${backup.error ?? backup.status}. Nothing was changed.`);
    }
    return { file: backup.file, tables: backup.verifiedTables, rows: backup.verifiedRows };
  });
  if (!backup) throw new Error('upgrade finished without a snapshot');
  store.events.record(addon.appName, actor, 'addon.upgrade', { addon: addon.name, from: result.from, to: result.to, backup: backupName(backup.number) });
  deps.appLog(addon.appName, 'addons', `${addon.name} runs PostgreSQL ${String(result.to)} (was ${String(result.from)}; snapshot ${backupName(backup.number)}); attached apps keep their URLs`);
  return { ...result, backup };
}
