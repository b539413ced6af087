import type { FastifyInstance } from 'fastify';

import { PaasError, notFound, parseRange, parseReleaseVersion, takePage } from '@paas/core';
import type { Release, UserRef } from '@paas/core';

import { toReleaseResource, userRef } from '../resources.js';
import type { RouteContext } from './context.js';
import { createStoreAnswerCache } from './store-answer-cache.js';
import { appParams } from './context.js';

const rollbackBody = {
  type: 'object',
  required: ['release'],
  additionalProperties: false,
  properties: { release: { type: ['string', 'integer'], maxLength: 64 } },
} as const;

export function registerReleaseRoutes(app: FastifyInstance, { store, deployer, disk, urls }: RouteContext): void {
  /**
   * Refuses a rollback to a release whose slug the disk collector removed. Synchronous, and
   * followed by the rollback in the same step: the collector checks and removes in one step too.
   */
  const assertSlugKept = (appName: string, requested: string): void => {
    const version = parseReleaseVersion(requested);
    const target = store.deploys.listReleases(appName).find((release) => (version === undefined ? release.id === requested : release.version === version));
    const slug = target?.slugId ? store.slugs.get(target.slugId) : undefined;
    if (!target || !slug || target.status === 'failed' || !disk.slugRemoved(slug.checksum)) return;
    throw new PaasError(
      'slug_collected',
      `The slug of v${String(target.version)} was removed by the disk collector (it keeps the newest ${String(disk.keepReleases)} releases' slugs): roll back to a newer release, or push that code again.`,
    );
  };

  const show = (appName: string, release: Release) => {
    const record = store.apps.require(appName);
    const hasOutput = store.releaseOutputs.get(release.id) !== undefined;
    return toReleaseResource(
      record,
      release,
      release.slugId === null ? undefined : store.slugs.get(release.slugId),
      hasOutput ? `/apps/${encodeURIComponent(record.name)}/releases/${String(release.version)}/output` : null,
      urls,
    );
  };

  // The page as sent (JSON text, status, next range), per app and Range header.
  const pages = createStoreAnswerCache<{ body: string; nextRange: string | undefined }>(() => store.generation());
  app.get<{ Params: { app: string } }>('/apps/:app/releases', { schema: { params: appParams } }, async (request, reply) => {
    const rangeHeader = request.headers.range;
    const range = parseRange(rangeHeader, { fields: ['version'], defaultOrder: 'desc' });
    const page = pages.get(`${request.params.app}\n${rangeHeader ?? ''}`, () => releasesPage(request.params.app, range));
    void reply.header('accept-ranges', 'version');
    if (page.nextRange) void reply.status(206).header('next-range', page.nextRange);
    return reply.type('application/json; charset=utf-8').send(page.body);
  });

  function releasesPage(appName: string, range: ReturnType<typeof parseRange>): { body: string; nextRange: string | undefined } {
    // One query for the page's releases, slugs and output flags; one read of the app.
    const record = store.apps.require(appName);
    const newestFirst = store.deploys.listReleasesWithSlugs(appName);
    const ordered = range.order === 'desc' ? newestFirst : newestFirst.reverse();
    const { page, nextRange } = takePage(ordered, range, (listing) => listing.release.version);
    const outputBase = `/apps/${encodeURIComponent(record.name)}/releases/`;
    // A user's id is a hash of the name: once per actor, not once per release.
    const users = new Map<string, UserRef>();
    const resources = page.map(({ release, slug, hasOutput }) => {
      let user = users.get(release.actor);
      if (!user) users.set(release.actor, (user = userRef(release.actor, urls)));
      return toReleaseResource(record, release, slug, hasOutput ? `${outputBase}${String(release.version)}/output` : null, urls, user);
    });
    return { body: JSON.stringify(resources), nextRange };
  }

  app.get<{ Params: { app: string; release: string } }>(
    '/apps/:app/releases/:release',
    { schema: { params: { ...appParams, properties: { ...appParams.properties, release: { type: 'string', maxLength: 64 } } } } },
    async (request) => show(request.params.app, store.deploys.findRelease(request.params.app, request.params.release)),
  );

  // What the release phase printed (`output_stream_url`); 404 for a release without one.
  app.get<{ Params: { app: string; release: string } }>(
    '/apps/:app/releases/:release/output',
    { schema: { params: { ...appParams, properties: { ...appParams.properties, release: { type: 'string', maxLength: 64 } } } } },
    async (request, reply) => {
      const release = store.deploys.findRelease(request.params.app, request.params.release);
      const output = store.releaseOutputs.get(release.id);
      if (output === undefined) throw notFound('release output', `v${String(release.version)}`);
      return reply.type('text/plain; charset=utf-8').send(output);
    },
  );

  // The config a release ran with (`heroku releases:info`).
  app.get<{ Params: { app: string; release: string } }>(
    '/apps/:app/releases/:release/config-vars',
    { schema: { params: { ...appParams, properties: { ...appParams.properties, release: { type: 'string', maxLength: 64 } } } } },
    async (request) => {
      const record = store.apps.require(request.params.app);
      const release = store.deploys.findRelease(record.name, request.params.release);
      return store.deploys.configOf(record, release.configVersion);
    },
  );

  app.post<{ Params: { app: string }; Body: { release: string | number } }>(
    '/apps/:app/releases',
    { schema: { params: appParams, body: rollbackBody } },
    async (request, reply) => {
      assertSlugKept(request.params.app, String(request.body.release));
      const release = store.deploys.rollback(request.params.app, String(request.body.release), request.actor.name);
      request.log.info({ app: request.params.app, release: release.version }, 'rolled back');
      if (release.status === 'pending') void deployer.deploy(request.params.app, release.version);
      return reply.status(201).send(show(request.params.app, release));
    },
  );
}
