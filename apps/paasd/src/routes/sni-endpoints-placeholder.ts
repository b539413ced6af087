import type { FastifyInstance } from 'fastify';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

/**
 * Until paas terminates TLS for custom domains: no SNI endpoints (`heroku domains:add`
 * asks for them before adding a domain). Replaced by the certificate routes when they land.
 */
export function registerSniEndpointPlaceholderRoutes(app: FastifyInstance, { store }: RouteContext): void {
  app.get<{ Params: { app: string } }>('/apps/:app/sni-endpoints', { schema: { params: appParams } }, async (request) => {
    store.apps.require(request.params.app);
    return [];
  });
}
