import type { FastifyInstance } from 'fastify';

import { userRef } from '../resources.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

/**
 * Heroku Platform API resources paas has no counterpart for, answered the way an account
 * without them would be, so Heroku's CLI (`heroku access`, `labs`, `features`, `apps:info`)
 * works: the token owner is each app's one collaborator; there are no features.
 */
export function registerHerokuCompatRoutes(app: FastifyInstance, { store, urls }: RouteContext): void {
  app.get<{ Params: { app: string } }>('/apps/:app/collaborators', { schema: { params: appParams } }, async (request) => {
    const record = store.apps.require(request.params.app);
    return [
      {
        id: userRef(request.actor.name, urls).id,
        app: { id: record.id, name: record.name },
        user: userRef(request.actor.name, urls),
        role: 'owner',
        created_at: record.createdAt,
        updated_at: record.updatedAt,
      },
    ];
  });

  app.get<{ Params: { app: string } }>('/apps/:app/features', { schema: { params: appParams } }, async (request) => {
    store.apps.require(request.params.app);
    return [];
  });
  app.get('/account/features', async () => []);
}
