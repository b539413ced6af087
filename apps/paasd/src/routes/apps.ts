import type { FastifyInstance, FastifyRequest } from 'fastify';

import { assertNewAppName, generateAppName, parseRange, takePage } from '@paas/core';

import type { AppRecord } from '@paas/store';

import { REGION, toAppResource } from '../resources.js';
import type { RouteContext } from './context.js';
import { apiOrigin, appParams } from './context.js';

const createBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 100 },
    // Heroku's CLI sends it with `--region`: paas has the one.
    region: { type: 'string', enum: [REGION] },
  },
} as const;

export function registerAppRoutes(app: FastifyInstance, { store, urls, repos, builds, manager, onRoutingChange, logs, disk }: RouteContext): void {
  const resourceOf = (record: AppRecord, request: FastifyRequest) =>
    toAppResource(record, store.deploys.currentRelease(record.name), urls, apiOrigin(request), {
      owner: request.actor.name,
      slug: store.deploys.currentSlug(record.name),
    });
  const show = (name: string, request: FastifyRequest) => resourceOf(store.apps.require(name), request);

  // `/users/~/apps` is Heroku's "my apps": every app here is the caller's.
  for (const url of ['/apps', '/users/~/apps']) {
    app.get(url, async (request, reply) => {
      const range = parseRange(request.headers.range, { fields: ['name'], defaultOrder: 'asc' });
      const apps = store.apps.list();
      const { page, nextRange } = takePage(range.order === 'asc' ? apps : apps.reverse(), range, (a) => a.name);
      if (nextRange) void reply.status(206).header('next-range', nextRange);
      return page.map((record) => resourceOf(record, request));
    });
  }

  app.post<{ Body: { name?: string } | null }>('/apps', { schema: { body: createBody } }, async (request, reply) => {
    const requested = request.body?.name;
    // A generated name can collide with an existing app: try a few before giving up.
    let name = requested === undefined ? generateAppName() : assertNewAppName(requested);
    for (let attempt = 0; requested === undefined && store.apps.get(name) && attempt < 5; attempt += 1) {
      name = generateAppName();
    }
    store.apps.create(name, request.actor.name);
    try {
      await repos.create(name);
    } catch (error) {
      // Without its repository the app cannot be pushed to: take the record back.
      store.apps.destroy(name, request.actor.name);
      throw error;
    }
    request.log.info({ app: name }, 'app created');
    onRoutingChange();
    return reply.status(201).send(show(name, request));
  });

  app.get<{ Params: { app: string } }>('/apps/:app', { schema: { params: appParams } }, async (request) =>
    show(request.params.app, request),
  );

  app.patch<{ Params: { app: string }; Body: { maintenance: boolean } }>(
    '/apps/:app',
    {
      schema: {
        params: appParams,
        body: { type: 'object', required: ['maintenance'], additionalProperties: false, properties: { maintenance: { type: 'boolean' } } },
      },
    },
    async (request) => {
      store.apps.setMaintenance(request.params.app, request.body.maintenance, request.actor.name);
      onRoutingChange();
      return show(request.params.app, request);
    },
  );

  app.delete<{ Params: { app: string } }>('/apps/:app', { schema: { params: appParams } }, async (request) => {
    const resource = show(request.params.app, request);
    // Read before the records go: slugs this app alone recorded are removed with it.
    const slugs = store.slugUsage.checksumsOf(request.params.app);
    store.apps.destroy(request.params.app, request.actor.name);
    onRoutingChange();
    await manager.removeApp(request.params.app);
    await logs.removeApp(request.params.app);
    await repos.remove(request.params.app);
    await builds.purgeCache(request.params.app);
    const freed = await disk.removeUnrecorded(slugs);
    request.log.info({ app: request.params.app, freedBytes: freed.freed_bytes, kept: freed.skipped.length }, 'app destroyed');
    return resource;
  });
}
