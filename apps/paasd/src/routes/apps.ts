import type { FastifyInstance } from 'fastify';

import { assertNewAppName, generateAppName, parseRange, takePage } from '@paas/core';

import { toAppResource } from '../resources.js';
import type { RouteContext } from './context.js';
import { apiOrigin, appParams } from './context.js';

const createBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { name: { type: 'string', maxLength: 100 } },
} as const;

export function registerAppRoutes(app: FastifyInstance, { store, urls, repos, builds, manager, onRoutingChange, logs, disk }: RouteContext): void {
  const show = (name: string, origin: string) => {
    const record = store.apps.require(name);
    return toAppResource(record, store.deploys.currentRelease(name), urls, origin);
  };

  app.get('/apps', async (request, reply) => {
    const range = parseRange(request.headers.range, { fields: ['name'], defaultOrder: 'asc' });
    const apps = store.apps.list();
    const { page, nextRange } = takePage(range.order === 'asc' ? apps : apps.reverse(), range, (a) => a.name);
    if (nextRange) void reply.status(206).header('next-range', nextRange);
    return page.map((record) => toAppResource(record, store.deploys.currentRelease(record.name), urls, apiOrigin(request)));
  });

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
    return reply.status(201).send(show(name, apiOrigin(request)));
  });

  app.get<{ Params: { app: string } }>('/apps/:app', { schema: { params: appParams } }, async (request) =>
    show(request.params.app, apiOrigin(request)),
  );

  app.patch<{ Params: { app: string }; Body: { maintenance?: boolean; redirect_https?: boolean } }>(
    '/apps/:app',
    {
      schema: {
        params: appParams,
        body: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: { maintenance: { type: 'boolean' }, redirect_https: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const { maintenance, redirect_https: redirectHttps } = request.body;
      if (maintenance !== undefined) store.apps.setMaintenance(request.params.app, maintenance, request.actor.name);
      if (redirectHttps !== undefined) store.apps.setRedirectHttps(request.params.app, redirectHttps, request.actor.name);
      onRoutingChange();
      return show(request.params.app, apiOrigin(request));
    },
  );

  app.delete<{ Params: { app: string } }>('/apps/:app', { schema: { params: appParams } }, async (request) => {
    const resource = show(request.params.app, apiOrigin(request));
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
