import type { RepoStore } from '@paas/git';
import type { LogRouter } from '@paas/logs';
import type { ProcessManager } from '@paas/runtime';
import type { Store } from '@paas/store';

import type { AddonService } from './addons/addon-service.js';
import type { DiskCollector } from './disk/disk-collector.js';

/** Makes an app and its git repository, or neither. */
export async function createAppWithRepo(deps: { store: Store; repos: RepoStore; onRoutingChange: () => void }, name: string, actor: string): Promise<void> {
  deps.store.apps.create(name, actor);
  try {
    await deps.repos.create(name);
  } catch (error) {
    // Without its repository the app cannot be pushed to: take the record back.
    deps.store.apps.destroy(name, actor);
    throw error;
  }
  deps.onRoutingChange();
}

export interface AppTeardownDeps {
  readonly store: Store;
  readonly repos: RepoStore;
  readonly manager: ProcessManager;
  readonly logs: LogRouter;
  readonly disk: DiskCollector;
  readonly addons: AddonService;
  readonly builds: { purgeCache(app: string): Promise<void> };
  readonly onRoutingChange: () => void;
}

/**
 * Destroys an app with what it owns: add-ons (data and all), processes, logs, repository,
 * build cache, and the slugs no other app records. The caller has confirmed it.
 */
export async function destroyApp(deps: AppTeardownDeps, name: string, actor: string): Promise<{ freedBytes: number; kept: number }> {
  const { store } = deps;
  for (const addon of store.addons.list(name)) await deps.addons.destroy(addon, actor);
  // Bindings it held to other apps' add-ons are removed once its records are gone.
  const borrowed = store.addons.attachments({ appName: name });
  // Read before the records go: slugs this app alone recorded are removed with it.
  const slugs = store.slugUsage.checksumsOf(name);
  store.apps.destroy(name, actor);
  deps.onRoutingChange();
  await deps.manager.removeApp(name);
  await deps.logs.removeApp(name);
  await deps.repos.remove(name);
  await deps.builds.purgeCache(name);
  const freed = await deps.disk.removeUnrecorded(slugs);
  await deps.addons.releaseBindings(borrowed);
  return { freedBytes: freed.freed_bytes, kept: freed.skipped.length };
}
