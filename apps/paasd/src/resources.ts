import { createHash } from 'node:crypto';

import type { AppResource, FormationEntry, FormationResource, NamedRef, Release, ReleaseResource, UserRef } from '@paas/core';
import type { AppRecord, DeployStore, SlugRecord } from '@paas/store';

/** Where users reach the platform: the router for apps, the API host for git. */
export interface PublicUrls {
  readonly domain: string;
  readonly routerPort: number;
  /** The API's HTTPS port, when on: git remotes are handed out as https there. */
  readonly apiTlsPort?: number | undefined;
}

export function webUrl(urls: PublicUrls, name: string): string {
  const port = urls.routerPort === 80 ? '' : `:${String(urls.routerPort)}`;
  return `http://${name}.${urls.domain}${port}/`;
}

/** A UUID-shaped id that is the same every time for the same thing (Heroku's clients expect ids on users and domains). */
export function stableId(kind: string, value: string): string {
  const hex = createHash('sha256').update(`${kind}\0${value}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A token's owner as Heroku names users: a name without an @ gets the platform's domain. */
export function userRef(actor: string, urls: Pick<PublicUrls, 'domain'>): UserRef {
  return { id: stableId('user', actor), email: actor.includes('@') ? actor : `${actor}@${urls.domain}` };
}

const ref = (kind: string, name: string): NamedRef => ({ id: stableId(kind, name), name });

/** paas runs in one place; Heroku's CLI shows a region that is not `us` after each app's name. */
export const REGION = 'local';

export interface AppResourceExtras {
  /** Who asks: paas apps have no other owner, so the caller is shown as it. */
  readonly owner: string;
  readonly slug: SlugRecord | undefined;
}

export function toAppResource(app: AppRecord, release: Release, urls: PublicUrls, apiOrigin: string, extras: AppResourceExtras): AppResource {
  const stack = ref('stack', extras.slug?.stack ?? 'paas');
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
    owner: userRef(extras.owner, urls),
    region: ref('region', REGION),
    stack,
    build_stack: stack,
    generation: ref('generation', 'cedar'),
    slug_size: extras.slug?.size ?? null,
    repo_size: null,
    archived_at: null,
    buildpack_provided_description: extras.slug?.buildpacks.join(', ') ?? null,
    create_status: 'complete',
    internal_routing: null,
    space: null,
    team: null,
    organization: null,
  };
}

export function toReleaseResource(
  app: AppRecord,
  release: Release,
  slug: Pick<SlugRecord, 'id' | 'commit'> | undefined,
  outputStreamUrl: string | null,
  urls: Pick<PublicUrls, 'domain'>,
  /** The actor's `userRef`, when the caller already has it (a list shares one per actor). */
  user: UserRef = userRef(release.actor, urls),
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
    user,
    // What `heroku rollback` without a version may go back to: a release that went out with code.
    eligible_for_rollback: release.status === 'succeeded' && slug !== undefined,
    addon_plan_names: [],
    updated_at: release.createdAt,
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
