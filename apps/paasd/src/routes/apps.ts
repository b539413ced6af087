import { rename as renameDir } from 'node:fs/promises';

import type { FastifyInstance, FastifyRequest } from 'fastify';

import { PaasError, assertNewAppName, attachmentConfigVar, generateAppName, parseRange, takePage } from '@paas/core';

import type { AppRecord } from '@paas/store';

import { createAppWithRepo, destroyApp } from '../app-lifecycle.js';
import { REGION, toAppResource } from '../resources.js';
import type { RouteContext } from './context.js';
import { appParams, gitOrigin } from './context.js';

const createBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 100 },
    // Heroku's CLI sends it with `--region`: paas has the one.
    region: { type: 'string', enum: [REGION] },
  },
} as const;

export function registerAppRoutes(app: FastifyInstance, { store, urls, repos, builds, manager, onRoutingChange, routingApplied, logs, disk, syncDrains, addons, access }: RouteContext): void {
  const resourceOf = (record: AppRecord, request: FastifyRequest) =>
    toAppResource(record, store.deploys.currentRelease(record.name), urls, gitOrigin(request, urls), {
      owner: request.actor.name,
      slug: store.deploys.currentSlug(record.name),
    });
  const show = (name: string, request: FastifyRequest) => resourceOf(store.apps.require(name), request);

  // `/users/~/apps` is Heroku's "my apps": the apps the caller may see (an admin: all).
  for (const url of ['/apps', '/users/~/apps']) {
    app.get(url, async (request, reply) => {
      const range = parseRange(request.headers.range, { fields: ['name'], defaultOrder: 'asc' });
      const apps = store.apps.list().filter((record) => access.canSee(request.actor, record.id));
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
    await createAppWithRepo({ store, repos, onRoutingChange }, name, request.actor.name);
    // A member who makes an app may do everything with it; admins reach every app anyway.
    if (request.actor.role === 'member') {
      store.access.grant(store.apps.require(name), { id: request.actor.userId, email: request.actor.name }, ['view', 'deploy', 'operate', 'manage'], request.actor.name);
    }
    request.log.info({ app: name }, 'app created');
    onRoutingChange();
    return reply.status(201).send(show(name, request));
  });

  app.get<{ Params: { app: string } }>('/apps/:app', { schema: { params: appParams } }, async (request) =>
    show(request.params.app, request),
  );

  /**
   * `heroku apps:rename`: the record and its audit log, the git repository and the routes
   * take the new name; the processes restart under it (the old ones stop first, as the
   * store no longer asks for them); the build cache and the kept log lines start afresh.
   */
  const rename = async (from: string, to: string, actor: string): Promise<string> => {
    const next = assertNewAppName(to);
    if (next === from) return from;
    if (store.apps.get(next) || (await repos.exists(next))) throw new PaasError('conflict', `Name ${next} is already taken: choose another app name.`);
    store.apps.rename(from, next, actor);
    onRoutingChange();
    await manager.removeApp(from);
    try {
      await renameDir(repos.pathOf(from), repos.pathOf(next));
    } catch (error) {
      // An app whose repository is gone still renames; git pushes then create nothing until it is made again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await builds.purgeCache(from);
    await logs.removeApp(from);
    await syncDrains(next);
    void manager.scaled(next);
    return next;
  };

  app.patch<{ Params: { app: string }; Body: { maintenance?: boolean; name?: string; redirect_https?: boolean } }>(
    '/apps/:app',
    {
      schema: {
        params: appParams,
        body: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: { maintenance: { type: 'boolean' }, name: { type: 'string', maxLength: 100 }, redirect_https: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      let name = store.apps.require(request.params.app).name;
      if (request.body.name !== undefined) {
        const renamed = await rename(name, request.body.name, request.actor.name);
        request.log.info({ app: name, to: renamed }, 'app renamed');
        name = renamed;
      }
      const { maintenance, redirect_https: redirectHttps } = request.body;
      if (maintenance !== undefined) store.apps.setMaintenance(name, maintenance, request.actor.name);
      if (redirectHttps !== undefined) store.apps.setRedirectHttps(name, redirectHttps, request.actor.name);
      if (maintenance !== undefined || redirectHttps !== undefined) {
        onRoutingChange();
        await routingApplied();
      }
      return show(name, request);
    },
  );

  app.delete<{ Params: { app: string }; Querystring: { confirm?: string } }>(
    '/apps/:app',
    { schema: { params: appParams, querystring: { type: 'object', additionalProperties: false, properties: { confirm: { type: 'string', maxLength: 64 } } } } },
    async (request) => {
    const resource = show(request.params.app, request);
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
