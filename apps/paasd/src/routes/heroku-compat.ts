import type { FastifyInstance } from 'fastify';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

/**
 * Heroku Platform API resources paas has no counterpart for, answered the way an account
 * without them would be, so Heroku's CLI (`labs`, `features`, `apps:info`) works: there are
 * no features.
 */
export function registerHerokuCompatRoutes(app: FastifyInstance, { store }: RouteContext): void {
  app.get<{ Params: { app: string } }>('/apps/:app/features', { schema: { params: appParams } }, async (request) => {
    store.apps.require(request.params.app);
    return [];
  });
  app.get('/account/features', async () => []);
}
