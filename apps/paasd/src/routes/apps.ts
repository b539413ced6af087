import type { FastifyInstance } from 'fastify';

import { PaasError, assertNewAppName, attachmentConfigVar, generateAppName, parseRange, takePage } from '@paas/core';

import { createAppWithRepo, destroyApp } from '../app-lifecycle.js';
import { toAppResource } from '../resources.js';
import type { RouteContext } from './context.js';
import { apiOrigin, appParams } from './context.js';

const createBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { name: { type: 'string', maxLength: 100 } },
} as const;

export function registerAppRoutes(app: FastifyInstance, { store, urls, repos, builds, manager, onRoutingChange, logs, disk, addons }: RouteContext): void {
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
    await createAppWithRepo({ store, repos, onRoutingChange }, name, request.actor.name);
    request.log.info({ app: name }, 'app created');
    return reply.status(201).send(show(name, apiOrigin(request)));
  });

  app.get<{ Params: { app: string } }>('/apps/:app', { schema: { params: appParams } }, async (request) =>
    show(request.params.app, apiOrigin(request)),
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
      return show(request.params.app, apiOrigin(request));
    },
  );

  app.delete<{ Params: { app: string }; Querystring: { confirm?: string } }>(
    '/apps/:app',
    { schema: { params: appParams, querystring: { type: 'object', additionalProperties: false, properties: { confirm: { type: 'string', maxLength: 64 } } } } },
    async (request) => {
    const resource = show(request.params.app, apiOrigin(request));
    // The add-ons it owns go with it, data and all: only when asked by name, saying who else loses them.
    const owned = store.addons.list(request.params.app);
    if (owned.length > 0 && request.query.confirm !== request.params.app) {
      const others = owned.flatMap((addon) => store.addons.attachments({ addonId: addon.id })).filter((a) => a.appName !== request.params.app);
      const losing = others.map((a) => `${a.appName} loses ${attachmentConfigVar(a.name)} (${a.addonName})`);
      throw new PaasError(
        'conflict',
        `${request.params.app} owns ${owned.map((a) => a.name).join(', ')}: destroying it destroys their data${losing.length > 0 ? `, and ${losing.join(', ')}` : ''}. To go ahead, confirm with the app's name (paas apps:destroy ${request.params.app} --confirm ${request.params.app}).`,
      );
    }
    const freed = await destroyApp({ store, repos, manager, logs, disk, addons, builds, onRoutingChange }, request.params.app, request.actor.name);
    request.log.info({ app: request.params.app, freedBytes: freed.freedBytes, kept: freed.kept }, 'app destroyed');
    return resource;
    },
  );
}
