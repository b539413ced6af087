import { createReadStream } from 'node:fs';

import type { FastifyInstance } from 'fastify';

import { PaasError, assertAddonName, attachmentConfigVar, backupName, parseAddonService, parseAttachmentName, parseBackupHour } from '@paas/core';
import type { AddonAttachmentResource, AddonBackupResource, AddonResource } from '@paas/core';
import type { AddonRecord, AttachmentRecord, BackupRecord, Store } from '@paas/store';

import { upgradeAddon } from '../addons/addon-upgrade.js';
import type { AddonProvider, AddonServiceName } from '../addons/provider.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const addonParams = { type: 'object', required: ['addon'], properties: { addon: { type: 'string', maxLength: 100 } } } as const;
const backupParams = { type: 'object', required: ['addon', 'backup'], properties: { addon: { type: 'string', maxLength: 100 }, backup: { type: 'string', maxLength: 64 } } } as const;

export function toAddonResource(store: Store, provider: AddonProvider, addon: AddonRecord): AddonResource {
  return {
    id: addon.id,
    name: addon.name,
    addon_service: { name: addon.service },
    plan: { name: addon.plan },
    app: { id: addon.appId, name: addon.appName },
    state: addon.state,
    state_reason: addon.stateReason,
    config_vars: store.addons.attachments({ addonId: addon.id }).map((a) => attachmentConfigVar(a.name)),
    provider: addon.provider,
    backup_schedule: addon.backupHour === null ? null : { at: `${String(addon.backupHour).padStart(2, '0')}:00 UTC`, retention: addon.backupRetention },
    memory_mb: provider.limits(addon.id, addon.service as AddonServiceName).memoryMb,
    version: addon.service === 'postgresql' ? (provider.majorVersion?.(addon.id)?.toString() ?? null) : null,
    created_at: addon.createdAt,
    updated_at: addon.updatedAt,
  };
}

export function toAttachmentResource(store: Store, attachment: AttachmentRecord): AddonAttachmentResource {
  const addon = store.addons.require(attachment.addonId);
  return {
    id: attachment.id,
    name: attachment.name,
    addon: { id: addon.id, name: addon.name, app: { id: addon.appId, name: addon.appName } },
    app: { id: attachment.appId, name: attachment.appName },
    created_at: attachment.createdAt,
  };
}

const toBackupResource = (backup: BackupRecord): AddonBackupResource => ({
  id: backup.id,
  name: backupName(backup.number),
  number: backup.number,
  status: backup.status,
  scheduled: backup.scheduled,
  size: backup.size,
  sha256: backup.sha256,
  verified: backup.verifiedTables === null || backup.verifiedRows === null ? null : { tables: backup.verifiedTables, rows: backup.verifiedRows },
  error: backup.error,
  created_at: backup.createdAt,
  finished_at: backup.finishedAt,
});

/** Heroku's add-on and attachment endpoints, plus credentials, info and backups for the local services. */
export function registerAddonRoutes(app: FastifyInstance, { store, addons, backups, logs }: RouteContext): void {
  /** The add-ons an app owns and those attached to it from other apps. */
  const addonsOf = (appName: string): AddonRecord[] => {
    store.apps.require(appName);
    const owned = store.addons.list(appName);
    const attached = store.addons.attachments({ appName }).map((a) => store.addons.require(a.addonId));
    return [...new Map([...owned, ...attached].map((addon) => [addon.id, addon])).values()];
  };

  /** Add-ons being upgraded (their id). */
  const upgrading = new Set<string>();
  /**
   * Nothing else changes an add-on while it is upgraded: the upgrade snapshots its data and
   * roles, rebuilds them in a new cluster and swaps it in, so a restore, a backup, an
   * attachment's role, a rotation or a destroy meanwhile would be lost or half applied.
   */
  const notUpgrading = <T extends { readonly id: string; readonly name: string }>(addon: T): T => {
    if (upgrading.has(addon.id)) throw new PaasError('conflict', `${addon.name} is being upgraded (pg:upgrade): try again when that has finished. Nothing was changed.`);
    return addon;
  };

  app.get<{ Params: { app: string } }>('/apps/:app/addons', { schema: { params: appParams } }, async (request) =>
    addonsOf(request.params.app).map((addon) => toAddonResource(store, addons.provider, addon)),
  );
  app.get('/addons', async () => store.addons.list().map((addon) => toAddonResource(store, addons.provider, addon)));

  app.post<{ Params: { app: string }; Body: { plan: string; name?: string; attachment?: { name: string } } }>(
    '/apps/:app/addons',
    {
      schema: {
        params: appParams,
        body: {
          type: 'object',
          required: ['plan'],
          additionalProperties: false,
          properties: {
            plan: { type: 'string', maxLength: 100 },
            name: { type: 'string', maxLength: 100 },
            attachment: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', maxLength: 64 } } },
          },
        },
      },
    },
    async (request, reply) => {
      store.apps.require(request.params.app);
      const service = parseAddonService(request.body.plan);
      const name = request.body.name === undefined ? undefined : assertAddonName(request.body.name);
      const as = request.body.attachment === undefined ? undefined : parseAttachmentName(request.body.attachment.name);
      const addon = addons.create(request.params.app, { service, ...(name ? { name } : {}), ...(as ? { as } : {}) }, request.actor.name);
      request.log.info({ app: request.params.app, addon: addon.name, service }, 'add-on created');
      return reply.status(201).send(toAddonResource(store, addons.provider, addon));
    },
  );

  app.get<{ Params: { addon: string } }>('/addons/:addon', { schema: { params: addonParams } }, async (request) => toAddonResource(store, addons.provider, store.addons.require(request.params.addon)));

  app.delete<{ Params: { addon: string } }>('/addons/:addon', { schema: { params: addonParams } }, async (request) => {
    const addon = notUpgrading(store.addons.require(request.params.addon));
    const resource = toAddonResource(store, addons.provider, addon);
    await addons.destroy(addon, request.actor.name);
    request.log.info({ addon: addon.name }, 'add-on destroyed');
    return { ...resource, state: 'deprovisioned' };
  });

  app.get<{ Params: { addon: string } }>('/addons/:addon/addon-attachments', { schema: { params: addonParams } }, async (request) =>
    store.addons.attachments({ addonId: store.addons.require(request.params.addon).id }).map((a) => toAttachmentResource(store, a)),
  );
  app.get<{ Params: { app: string } }>('/apps/:app/addon-attachments', { schema: { params: appParams } }, async (request) => {
    store.apps.require(request.params.app);
    return store.addons.attachments({ appName: request.params.app }).map((a) => toAttachmentResource(store, a));
  });
  app.get('/addon-attachments', async () => store.addons.attachments().map((a) => toAttachmentResource(store, a)));

  app.post<{ Body: { addon: string; app: string; name?: string } }>(
    '/addon-attachments',
    {
      schema: {
        body: {
          type: 'object',
          required: ['addon', 'app'],
          additionalProperties: false,
          properties: { addon: { type: 'string', maxLength: 100 }, app: { type: 'string', maxLength: 64 }, name: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (request, reply) => {
      const addon = notUpgrading(store.addons.require(request.body.addon));
      store.apps.require(request.body.app);
      const as = request.body.name === undefined ? undefined : parseAttachmentName(request.body.name);
      const { attachment, release } = await addons.attach(addon, request.body.app, as, request.actor.name);
      if (release) void reply.header('paas-release-version', String(release.version));
      return reply.status(201).send(toAttachmentResource(store, attachment));
    },
  );

  app.delete<{ Params: { id: string } }>('/addon-attachments/:id', { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } } }, async (request, reply) => {
    const attachment = store.addons.requireAttachment(request.params.id);
    notUpgrading(store.addons.require(attachment.addonId));
    const resource = toAttachmentResource(store, attachment);
    const { release } = await addons.detach(attachment, request.actor.name);
    if (release) void reply.header('paas-release-version', String(release.version));
    return resource;
  });

  app.get<{ Params: { addon: string } }>('/addons/:addon/info', { schema: { params: addonParams } }, async (request) => {
    const addon = store.addons.require(request.params.addon);
    if (addon.state !== 'provisioned') throw new PaasError('conflict', `${addon.name} is ${addon.state}.`);
    return { addon: toAddonResource(store, addons.provider, addon), info: await addons.provider.info(addon.id) };
  });

  app.post<{ Params: { addon: string } }>('/addons/:addon/actions/rotate-credentials', { schema: { params: addonParams } }, async (request) => {
    const addon = notUpgrading(store.addons.require(request.params.addon));
    const outcomes = await addons.rotate(addon, request.actor.name);
    request.log.info({ addon: addon.name, attachments: outcomes.length }, 'add-on credentials rotated');
    return { addon: toAddonResource(store, addons.provider, addon), releases: outcomes };
  });

  app.post<{ Params: { addon: string }; Body: { version: number; confirm?: string } }>(
    '/addons/:addon/actions/upgrade',
    {
      schema: {
        params: addonParams,
        body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1, maximum: 999 }, confirm: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request) => {
      const addon = store.addons.require(request.params.addon);
      if (request.body.confirm !== addon.appName) {
        throw new PaasError('conflict', `Upgrading ${addon.name} replaces its cluster: confirm with its owning app's name (paas pg:upgrade ${addon.name} --version ${String(request.body.version)} -a ${addon.appName} --confirm ${addon.appName}). Nothing was changed.`);
      }
      // One upgrade of an add-on at a time: a second would snapshot and swap under the first.
      notUpgrading(addon);
      upgrading.add(addon.id);
      const appLog = (appName: string, process: string, line: string): void => logs.publish(appName, { source: 'paas', process, line });
      const outcome = await upgradeAddon({ store, provider: addons.provider, backups, appLog }, addon, request.body.version, request.actor.name).finally(() => upgrading.delete(addon.id));
      request.log.info({ addon: addon.name, from: outcome.from, to: outcome.to }, 'add-on upgraded');
      return { addon: toAddonResource(store, addons.provider, store.addons.require(addon.id)), from: outcome.from, to: outcome.to, backup: toBackupResource(outcome.backup), kept: outcome.kept };
    },
  );

  app.get<{ Params: { addon: string } }>('/addons/:addon/backups', { schema: { params: addonParams } }, async (request) =>
    store.addons.backups(store.addons.require(request.params.addon).id).map(toBackupResource),
  );
  app.post<{ Params: { addon: string } }>('/addons/:addon/backups', { schema: { params: addonParams } }, async (request, reply) => {
    const { backup } = backups.capture(notUpgrading(store.addons.require(request.params.addon)), false);
    return reply.status(201).send(toBackupResource(backup));
  });
  app.get<{ Params: { addon: string; backup: string } }>('/addons/:addon/backups/:backup', { schema: { params: backupParams } }, async (request) =>
    toBackupResource(store.addons.requireBackup(store.addons.require(request.params.addon).id, request.params.backup)),
  );
  app.get<{ Params: { addon: string; backup: string } }>('/addons/:addon/backups/:backup/download', { schema: { params: backupParams } }, async (request, reply) => {
    const backup = store.addons.requireBackup(store.addons.require(request.params.addon).id, request.params.backup);
    if (backup.status !== 'completed' || backup.file === null) throw new PaasError('conflict', `Backup ${backupName(backup.number)} is ${backup.status}.`);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${backupName(backup.number)}.dump"`)
      .header('paas-backup-sha256', backup.sha256 ?? '')
      .send(createReadStream(backup.file));
  });
  app.post<{ Params: { addon: string }; Body: { backup: string; from?: string } }>(
    '/addons/:addon/restores',
    {
      schema: {
        params: addonParams,
        body: { type: 'object', required: ['backup'], additionalProperties: false, properties: { backup: { type: 'string', maxLength: 64 }, from: { type: 'string', maxLength: 100 } } },
      },
    },
    async (request) => {
      const target = notUpgrading(store.addons.require(request.params.addon));
      const source = request.body.from === undefined ? target : store.addons.require(request.body.from);
      const backup = store.addons.requireBackup(source.id, request.body.backup);
      await backups.restore(target, backup);
      store.events.record(target.appName, request.actor.name, 'addon.backups.restore', { addon: target.name, from: source.name, backup: backupName(backup.number) });
      request.log.info({ addon: target.name, from: source.name, backup: backup.number }, 'backup restored');
      return { addon: toAddonResource(store, addons.provider, target), backup: toBackupResource(backup) };
    },
  );
  app.put<{ Params: { addon: string }; Body: { at: string; retention?: number } }>(
    '/addons/:addon/backup-schedule',
    {
      schema: {
        params: addonParams,
        body: { type: 'object', required: ['at'], additionalProperties: false, properties: { at: { type: 'string', maxLength: 40 }, retention: { type: 'integer', minimum: 1, maximum: 365 } } },
      },
    },
    async (request) => {
      const addon = store.addons.require(request.params.addon);
      if (addon.service !== 'postgresql') throw new PaasError('invalid_params', `${addon.name} is a ${addon.service} add-on: backups are for postgresql add-ons.`);
      return toAddonResource(store, addons.provider, store.addons.setSchedule(addon.id, parseBackupHour(request.body.at), request.body.retention ?? 7, request.actor.name));
    },
  );
  app.delete<{ Params: { addon: string } }>('/addons/:addon/backup-schedule', { schema: { params: addonParams } }, async (request) => {
    const addon = store.addons.require(request.params.addon);
    return toAddonResource(store, addons.provider, store.addons.setSchedule(addon.id, null, addon.backupRetention, request.actor.name));
  });
}
