import type { FastifyInstance } from 'fastify';

import { invalidParams } from '@paas/core';
import type { ActivityResource } from '@paas/core';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

export const ACTIVITY_DEFAULT_LIMIT = 100;
export const ACTIVITY_MAX_LIMIT = 200;

/** The app's audit log, newest first: who changed what (keys, never config values). */
export function registerActivityRoutes(app: FastifyInstance, { store }: RouteContext): void {
  app.get<{ Params: { app: string }; Querystring: { limit?: string } }>(
    '/apps/:app/activity',
    {
      schema: {
        params: appParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } } },
      },
    },
    async (request): Promise<ActivityResource[]> => {
      const name = store.apps.require(request.params.app).name;
      const limit = Number(request.query.limit ?? ACTIVITY_DEFAULT_LIMIT);
      if (limit < 1 || limit > ACTIVITY_MAX_LIMIT) throw invalidParams(`Invalid limit ${String(limit)}: ask for 1 to ${String(ACTIVITY_MAX_LIMIT)} events.`);
      return store.events.list({ appName: name, limit }).map((event) => ({
        id: event.id,
        app: { name },
        actor: event.actor,
        action: event.action,
        data: event.data,
        created_at: event.createdAt,
      }));
    },
  );
}
