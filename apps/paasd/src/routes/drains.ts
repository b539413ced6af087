import type { FastifyInstance } from 'fastify';

import { parseDrainUrl, redactDrainUrl } from '@paas/logs';
import type { DrainRecord } from '@paas/store';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

/** Heroku's log-drain resource; the URL's credentials are never shown back. */
const drainResource = (drain: DrainRecord) => ({
  id: drain.id,
  url: redactDrainUrl(drain.url),
  token: drain.token,
  created_at: drain.createdAt,
  updated_at: drain.createdAt,
});

export function registerDrainRoutes(app: FastifyInstance, { store, syncDrains, targets }: RouteContext): void {
  app.get<{ Params: { app: string } }>('/apps/:app/log-drains', { schema: { params: appParams } }, async (request) =>
    store.drains.list(store.apps.require(request.params.app).id).map(drainResource),
  );

  app.post<{ Params: { app: string }; Body: { url: string } }>(
    '/apps/:app/log-drains',
    {
      schema: {
        params: appParams,
        body: { type: 'object', required: ['url'], additionalProperties: false, properties: { url: { type: 'string', minLength: 1, maxLength: 2048 } } },
      },
    },
    async (request, reply) => {
      const record = store.apps.require(request.params.app);
      parseDrainUrl(request.body.url, targets);
      const drain = store.drains.add(record, request.body.url, request.actor.name);
      await syncDrains(record.name);
      return reply.status(201).send(drainResource(drain));
    },
  );

  app.delete<{ Params: { app: string; drain: string } }>(
    '/apps/:app/log-drains/:drain',
    { schema: { params: { type: 'object', required: ['app', 'drain'], properties: { app: { type: 'string', maxLength: 64 }, drain: { type: 'string', minLength: 1, maxLength: 2048 } } } } },
    async (request) => {
      const record = store.apps.require(request.params.app);
      const drain = store.drains.remove(record, request.params.drain, request.actor.name);
      await syncDrains(record.name);
      return drainResource(drain);
    },
  );
}
