import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

import type { Store } from '@paas/store';

import { createAuthenticator } from './auth.js';
import type { Actor } from './auth.js';
import type { Config } from './config.js';
import { installErrorHandlers } from './error-handler.js';
import type { Logger } from './logger.js';
import { registerAppRoutes } from './routes/apps.js';
import { registerConfigVarRoutes } from './routes/config-vars.js';
import type { RouteContext } from './routes/context.js';
import { registerFormationRoutes } from './routes/formation.js';
import { registerReleaseRoutes } from './routes/releases.js';

export interface ServerDeps {
  readonly config: Pick<Config, 'apiToken' | 'domain' | 'routerPort'>;
  readonly store: Store;
  readonly logger: Logger;
}

/** JSON bodies over this are refused with 413 before they are parsed. */
export const BODY_LIMIT = 1024 * 1024;

/** Builds the HTTP server without listening, so tests drive it with `inject()`. */
export function buildServer({ config, store, logger }: ServerDeps): FastifyInstance {
  // Seen as Fastify's base logger type: pino's own type is wider and trips its generics.
  const baseLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance: baseLogger,
    bodyLimit: BODY_LIMIT,
    // Unknown fields are refused rather than silently dropped, and types are not coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, allowUnionTypes: true } },
  });
  installErrorHandlers(app);
  // The API speaks JSON only; anything else is a 415 rather than a string body.
  app.removeContentTypeParser('text/plain');

  app.get('/healthz', async () => ({ status: 'ok' }));

  const context: RouteContext = { store, urls: { domain: config.domain, routerPort: config.routerPort } };
  const authenticator = createAuthenticator(store.tokens, config.apiToken);
  void app.register(async (api) => {
    // Set by the hook below before any handler runs.
    api.decorateRequest('actor', null as unknown as Actor);
    api.addHook('onRequest', async (request) => {
      request.actor = authenticator.authenticate(request.headers.authorization);
    });
    api.get('/account', async (request) => ({ name: request.actor.name }));
    registerAppRoutes(api, context);
    registerConfigVarRoutes(api, context);
    registerReleaseRoutes(api, context);
    registerFormationRoutes(api, context);
  });
  return app;
}
