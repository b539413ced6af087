import { randomUUID } from 'node:crypto';

import { PaasError, attachmentConfigVar, defaultAttachmentName, generateAddonName } from '@paas/core';
import type { AddonServiceId } from '@paas/core';
import type { DeployResult } from '@paas/runtime';
import type { AddonRecord, AttachmentRecord, Store } from '@paas/store';
import type { Release } from '@paas/core';

import type { Logger } from '../logger.js';
import type { AppLog } from '../deploy/release-deployer.js';
import type { AddonProvider } from './provider.js';

export interface AddonServiceDeps {
  readonly store: Store;
  readonly provider: AddonProvider;
  /** Rolls a pending release out; resolves with how it ended. */
  readonly deploy: (app: string, version: number) => Promise<DeployResult>;
  readonly logger: Logger;
  readonly appLog: AppLog;
  /** Why new add-ons cannot be made here (apps that cannot reach the provider's servers), if so. */
  readonly unavailable?: string | undefined;
}

export interface AddonService {
  readonly provider: AddonProvider;
  create(appName: string, input: { service: AddonServiceId; name?: string; as?: string }, actor: string): AddonRecord;
  attach(addon: AddonRecord, appName: string, as: string | undefined, actor: string): Promise<{ attachment: AttachmentRecord; release: Release | null }>;
  detach(attachment: AttachmentRecord, actor: string): Promise<{ release: Release | null; done: Promise<void> }>;
  /** New credentials for every attachment; each old one is dropped once the release with the new URL serves. */
  rotate(addon: AddonRecord, actor: string): Promise<{ app: string; release: number | null; ok: boolean; message?: string }[]>;
  destroy(addon: AddonRecord, actor: string): Promise<void>;
  /** After an app is destroyed: the bindings its attachments held (to others' add-ons) are removed. */
  releaseBindings(attachments: readonly AttachmentRecord[]): Promise<void>;
  /** Resumes provisioning cut off by a restart. */
  start(): void;
  /** Stops following provisioning (the next paasd resumes it); nothing touches the store after. */
  close(): void;
}

const rollOut = async (deps: AddonServiceDeps, app: string, release: Release | null): Promise<DeployResult> =>
  release?.status === 'pending' ? deps.deploy(app, release.version) : { ok: true };

/**
 * Add-ons over a provider, and attachments as releases: attaching, detaching and rotating
 * set config vars through the store's one path for config changes, and the release rolls
 * out with no downtime like any config change. Credentials being replaced stay valid until
 * the release without them serves.
 */
export function createAddonService(deps: AddonServiceDeps): AddonService {
  const { store, provider, logger } = deps;
  let closed = false;

  async function finishProvisioning(addon: AddonRecord, as: string | undefined): Promise<void> {
    let operation = provider.provision(addon.id, addon.service as AddonServiceId);
    while (operation.state === 'in progress') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (closed) return;
      operation = provider.lastOperation(addon.id);
    }
    if (closed || !store.addons.get(addon.id)) return; // paasd stopping (the next one resumes), or destroyed meanwhile
    if (operation.state === 'failed') {
      store.addons.setState(addon.id, 'failed', operation.description);
      deps.appLog(addon.appName, 'addons', `${addon.name} could not be provisioned: ${operation.description}`);
      return;
    }
    const ready = store.addons.setState(addon.id, 'provisioned');
    if (store.addons.attachments({ addonId: addon.id, appName: addon.appName }).length === 0) {
      await service.attach(ready, addon.appName, as, 'paas');
    }
    deps.appLog(addon.appName, 'addons', `${addon.name} is ready`);
  }

  /** An attachment never replaces a var the app already has (another add-on's or the user's own). */
  const assertAttachable = (appName: string, name: string): void => {
    const key = attachmentConfigVar(name);
    if (Object.hasOwn(store.deploys.configOf(store.apps.require(appName)), key)) {
      throw new PaasError('conflict', `${appName} already has a ${key} config var: attach under another name (--as NAME), or unset it first.`);
    }
  };

  /**
   * After the provider started its servers: one it could not start (its PostgreSQL major is
   * not installed) is `failed` with the reason, in the owning app's log too; one that runs
   * again after such a failure is `provisioned` again.
   */
  const reportServer = (addon: AddonRecord): void => {
    const reason = provider.notStarted?.(addon.id);
    const notRunning = `${addon.name} is not running: `;
    if (reason !== undefined && (addon.state === 'provisioned' || addon.state === 'failed')) {
      store.addons.setState(addon.id, 'failed', `${notRunning}${reason}`);
      deps.appLog(addon.appName, 'addons', `${addon.name}'s server was not started: ${reason}`);
    } else if (reason === undefined && addon.state === 'failed' && addon.stateReason?.startsWith(notRunning) === true) {
      store.addons.setState(addon.id, 'provisioned');
      deps.appLog(addon.appName, 'addons', `${addon.name}'s server runs again`);
    }
  };

  const service: AddonService = {
    provider,
    create(appName, input, actor) {
      if (deps.unavailable !== undefined) throw new PaasError('service_unavailable', deps.unavailable);
      if (!provider.services.includes(input.service)) {
        throw new PaasError('service_unavailable', `${input.service} is not installed on this platform's host (apt-get install ${input.service === 'redis' ? 'redis-server' : 'postgresql'}).`);
      }
      assertAttachable(appName, input.as ?? defaultAttachmentName(input.service));
      const name = input.name ?? generateAddonName(input.service);
      const addon = store.addons.create(appName, { id: randomUUID(), name, service: input.service, plan: `${input.service}:${provider.name}`, provider: provider.name }, actor);
      finishProvisioning(addon, input.as).catch((error: unknown) => {
        logger.error({ err: error, addon: addon.id }, 'add-on provisioning failed');
        const reason = error instanceof PaasError ? error.message : 'provisioning stopped because of an error in paas itself; it has been logged';
        if (!closed && store.addons.get(addon.id)) store.addons.setState(addon.id, 'failed', reason);
      });
      return addon;
    },
    async attach(addon, appName, as, actor) {
      if (addon.state !== 'provisioned') throw new PaasError('conflict', `${addon.name} is ${addon.state}, not ready to attach yet.`);
      assertAttachable(appName, as ?? defaultAttachmentName(addon.service as AddonServiceId));
      const bindingId = randomUUID();
      const { url } = await provider.bind(addon.id, bindingId);
      try {
        const name = as ?? defaultAttachmentName(addon.service as AddonServiceId);
        const attached = store.addons.attach({ addonId: addon.id, appName, name, bindingId, url }, actor);
        void rollOut(deps, appName, attached.release);
        return attached;
      } catch (error) {
        await provider.unbind(addon.id, bindingId);
        throw error;
      }
    },
    async detach(attachment, actor) {
      const { release } = store.addons.detach(attachment.id, actor);
      // The old URL keeps working until the release without it serves.
      const done = rollOut(deps, attachment.appName, release).then(async (result) => {
        if (result.ok || !store.apps.get(attachment.appName)) return provider.unbind(attachment.addonId, attachment.bindingId);
        deps.appLog(attachment.appName, 'addons', `The release without ${attachment.name}_URL did not go live; its credentials stay valid until one does`);
      });
      done.catch((error: unknown) => logger.error({ err: error, addon: attachment.addonId }, 'add-on binding not removed'));
      return { release, done: done.catch(() => undefined) };
    },
    async rotate(addon, actor) {
      if (addon.state !== 'provisioned') throw new PaasError('conflict', `${addon.name} is ${addon.state}.`);
      const outcomes = [];
      for (const attachment of store.addons.attachments({ addonId: addon.id })) {
        const bindingId = randomUUID();
        const { url } = await provider.bind(addon.id, bindingId);
        const { release } = store.addons.rebind(attachment.id, bindingId, url, actor);
        const result = await rollOut(deps, attachment.appName, release);
        if (result.ok) await provider.unbind(addon.id, attachment.bindingId);
        else deps.appLog(attachment.appName, 'addons', `The release with new credentials for ${addon.name} did not go live; the old credentials stay valid`);
        outcomes.push({ app: attachment.appName, release: release?.version ?? null, ok: result.ok, ...(result.message ? { message: result.message } : {}) });
      }
      return outcomes;
    },
    async destroy(addon, actor) {
      store.addons.setState(addon.id, 'deprovisioning');
      const detached = await Promise.all(store.addons.attachments({ addonId: addon.id }).map((attachment) => service.detach(attachment, actor)));
      await Promise.all(detached.map((d) => d.done));
      await provider.deprovision(addon.id);
      store.addons.remove(addon.id, actor);
    },
    async releaseBindings(attachments) {
      for (const attachment of attachments) {
        await provider.unbind(attachment.addonId, attachment.bindingId).catch((error: unknown) => logger.error({ err: error, addon: attachment.addonId }, 'add-on binding not removed'));
      }
    },
    close() {
      closed = true;
    },
    start() {
      for (const addon of store.addons.list()) {
        reportServer(addon);
        if (addon.state !== 'provisioning') continue;
        finishProvisioning(addon, undefined).catch((error: unknown) => logger.error({ err: error, addon: addon.id }, 'add-on provisioning failed'));
      }
    },
  };
  return service;
}
