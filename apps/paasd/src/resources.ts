import type { AppResource, FormationEntry, FormationResource, Release, ReleaseResource } from '@paas/core';
import type { AppRecord, DeployStore, SlugRecord } from '@paas/store';

/** Where users reach the platform: the router for apps, the API host for git. */
export interface PublicUrls {
  readonly domain: string;
  readonly routerPort: number;
}

export function webUrl(urls: PublicUrls, name: string): string {
  const port = urls.routerPort === 80 ? '' : `:${String(urls.routerPort)}`;
  return `http://${name}.${urls.domain}${port}/`;
}

export function toAppResource(app: AppRecord, release: Release, urls: PublicUrls, apiOrigin: string): AppResource {
  return {
    id: app.id,
    name: app.name,
    web_url: webUrl(urls, app.name),
    git_url: `${apiOrigin}/${app.name}.git`,
    maintenance: app.maintenance,
    acm: app.acm,
    redirect_https: app.redirectHttps,
    created_at: app.createdAt,
    updated_at: app.updatedAt,
    released_at: release.createdAt,
    current_release: { id: release.id, version: release.version },
  };
}

export function toReleaseResource(
  app: AppRecord,
  release: Release,
  slug: SlugRecord | undefined,
  outputStreamUrl: string | null = null,
): ReleaseResource {
  return {
    id: release.id,
    app: { id: app.id, name: app.name },
    version: release.version,
    description: release.description,
    status: release.status,
    status_reason: release.reason ?? null,
    current: release.version === app.currentRelease,
    actor: release.actor,
    slug: slug ? { id: slug.id, commit: slug.commit } : null,
    config_version: release.configVersion,
    output_stream_url: outputStreamUrl,
    created_at: release.createdAt,
  };
}

export function toFormationResources(
  app: AppRecord,
  entries: readonly FormationEntry[],
  deploys: DeployStore,
): FormationResource[] {
  const commands = deploys.currentSlug(app.name)?.processTypes ?? {};
  return entries.map((entry) => ({
    app: { id: app.id, name: app.name },
    type: entry.type,
    quantity: entry.quantity,
    size: entry.size,
    command: commands[entry.type] ?? '',
  }));
}
