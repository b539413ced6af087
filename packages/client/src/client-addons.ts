import type { AddonAttachmentResource, AddonBackupResource, AddonResource } from '@paas/core';

import { addonPath, appPath, type Calls } from './calls.js';

/** Add-ons, their attachments and their backups (Heroku's add-on and pg:backups endpoints). */
export interface AddonMethods {
  /** The add-ons an app owns or has attached; without an app, every add-on. */
  listAddons(app?: string): Promise<AddonResource[]>;
  createAddon(app: string, input: { plan: string; name?: string; attachment?: { name: string } }): Promise<AddonResource>;
  getAddon(addon: string): Promise<AddonResource>;
  deleteAddon(addon: string): Promise<AddonResource>;
  listAddonAttachments(filter?: { app?: string; addon?: string }): Promise<AddonAttachmentResource[]>;
  attachAddon(input: { addon: string; app: string; name?: string }): Promise<AddonAttachmentResource>;
  detachAddon(attachmentId: string): Promise<AddonAttachmentResource>;
  getAddonInfo(addon: string): Promise<{ addon: AddonResource; info: Record<string, string> }>;
  rotateAddonCredentials(addon: string): Promise<{ addon: AddonResource; releases: { app: string; release: number | null; ok: boolean; message?: string }[] }>;
  /** Moves a postgresql add-on to a newer major (snapshot first); `confirm` is its owning app's name. */
  upgradeAddon(addon: string, input: { version: number; confirm: string }): Promise<AddonUpgradeResult>;
  listBackups(addon: string): Promise<AddonBackupResource[]>;
  captureBackup(addon: string): Promise<AddonBackupResource>;
  getBackup(addon: string, backup: string): Promise<AddonBackupResource>;
  /** The dump's bytes, read as they arrive. */
  downloadBackup(addon: string, backup: string): Promise<Response>;
  restoreBackup(addon: string, input: { backup: string; from?: string }): Promise<{ addon: AddonResource; backup: AddonBackupResource }>;
  scheduleBackups(addon: string, at: string, retention?: number): Promise<AddonResource>;
  unscheduleBackups(addon: string): Promise<AddonResource>;
}

export interface AddonUpgradeResult {
  readonly addon: AddonResource;
  readonly from: number;
  readonly to: number;
  /** The verified backup taken before anything changed. */
  readonly backup: AddonBackupResource;
  /** Where the old cluster is kept on the host. */
  readonly kept: string;
}

/** pg:upgrade's dump and restore are bounded by 30 minutes each on the server. */
const UPGRADE_TIMEOUT_MS = 65 * 60_000;

export function addonMethods({ send, get, transport }: Calls): AddonMethods {
  return {
    listAddons: (app) => get(app === undefined ? '/addons' : `${appPath(app)}/addons`),
    createAddon: async (app, input) => (await send<AddonResource>({ method: 'POST', path: `${appPath(app)}/addons`, body: input })).body,
    getAddon: (addon) => get(addonPath(addon)),
    deleteAddon: async (addon) => (await send<AddonResource>({ method: 'DELETE', path: addonPath(addon) })).body,
    listAddonAttachments: ({ app, addon } = {}) =>
      get(app !== undefined ? `${appPath(app)}/addon-attachments` : addon !== undefined ? `${addonPath(addon)}/addon-attachments` : '/addon-attachments'),
    attachAddon: async (input) => (await send<AddonAttachmentResource>({ method: 'POST', path: '/addon-attachments', body: input })).body,
    detachAddon: async (id) => (await send<AddonAttachmentResource>({ method: 'DELETE', path: `/addon-attachments/${encodeURIComponent(id)}` })).body,
    getAddonInfo: (addon) => get(`${addonPath(addon)}/info`),
    rotateAddonCredentials: async (addon) => (await send<{ addon: AddonResource; releases: { app: string; release: number | null; ok: boolean; message?: string }[] }>({ method: 'POST', path: `${addonPath(addon)}/actions/rotate-credentials` })).body,
    // The answer comes when the dump, the restore and the swap are done: longer than an ordinary call may take.
    upgradeAddon: async (addon, input) => (await send<AddonUpgradeResult>({ method: 'POST', path: `${addonPath(addon)}/actions/upgrade`, body: input, timeoutMs: UPGRADE_TIMEOUT_MS })).body,
    listBackups: (addon) => get(`${addonPath(addon)}/backups`),
    captureBackup: async (addon) => (await send<AddonBackupResource>({ method: 'POST', path: `${addonPath(addon)}/backups` })).body,
    getBackup: (addon, backup) => get(`${addonPath(addon)}/backups/${encodeURIComponent(backup)}`),
    downloadBackup: (addon, backup) => transport.open({ method: 'GET', path: `${addonPath(addon)}/backups/${encodeURIComponent(backup)}/download`, accept: 'application/octet-stream, application/json' }),
    restoreBackup: async (addon, input) => (await send<{ addon: AddonResource; backup: AddonBackupResource }>({ method: 'POST', path: `${addonPath(addon)}/restores`, body: input })).body,
    scheduleBackups: async (addon, at, retention) =>
      (await send<AddonResource>({ method: 'PUT', path: `${addonPath(addon)}/backup-schedule`, body: { at, ...(retention === undefined ? {} : { retention }) } })).body,
    unscheduleBackups: async (addon) => (await send<AddonResource>({ method: 'DELETE', path: `${addonPath(addon)}/backup-schedule` })).body,
  };
}
