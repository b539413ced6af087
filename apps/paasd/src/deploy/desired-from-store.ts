import type { SlugStore } from '@paas/builder';
import type { Release } from '@paas/core';
import type { AppSpec, DesiredState, ReleaseSpec } from '@paas/runtime';
import type { Store } from '@paas/store';

/** What should run, as the store says: each app's current release and its formation. */
export function desiredFromStore(store: Store, slugs: SlugStore, layers: Pick<SlugStore, 'path'>): DesiredState {
  const specOf = (appName: string, release: Release): ReleaseSpec | undefined => {
    if (release.slugId === null) return undefined;
    const slug = store.slugs.get(release.slugId);
    if (!slug) return undefined;
    return {
      version: release.version,
      slug: {
        checksum: slug.checksum,
        path: slugs.path(slug.checksum),
        ...(slug.runtimeLayer === null ? {} : { runtimeLayer: { checksum: slug.runtimeLayer, path: layers.path(slug.runtimeLayer) } }),
      },
      processTypes: slug.processTypes,
      configVars: store.deploys.configOf(store.apps.require(appName), release.configVersion),
      commit: slug.commit,
    };
  };
  return {
    apps: () => store.apps.list().map((app) => app.name),
    app(name): AppSpec | undefined {
      if (!store.apps.get(name)) return undefined;
      return {
        app: name,
        current: specOf(name, store.deploys.currentRelease(name)) ?? null,
        formation: store.deploys.formation(name),
      };
    },
    formation: (app, release) => store.deploys.formationFor(app, Object.keys(release.processTypes)),
    release(app, version) {
      if (!store.apps.get(app)) return undefined;
      return specOf(app, store.deploys.findRelease(app, String(version)));
    },
  };
}
