import type { FastifyInstance } from 'fastify';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

/**
 * Until paas has add-ons: the lists Heroku's CLI reads (`heroku addons`, `apps:info`,
 * `drains`) answer empty, for a known app. Replaced by the add-on routes when they land.
 */
export function registerAddonPlaceholderRoutes(app: FastifyInstance, { store }: RouteContext): void {
  for (const url of ['/apps/:app/addons', '/apps/:app/addon-attachments']) {
    app.get<{ Params: { app: string } }>(url, { schema: { params: appParams } }, async (request) => {
      store.apps.require(request.params.app);
      return [];
    });
  }
  app.get('/addons', async () => []);
  app.get('/addon-attachments', async () => []);
}
