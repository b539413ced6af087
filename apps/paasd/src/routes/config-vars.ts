import type { FastifyInstance } from 'fastify';

import { RELEASE_VERSION_HEADER } from '@paas/core';
import type { ConfigPatch } from '@paas/core';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const patchBody = {
  type: 'object',
  maxProperties: 1000,
  additionalProperties: { type: ['string', 'null'] },
} as const;

export function registerConfigVarRoutes(app: FastifyInstance, { store, deployer }: RouteContext): void {
  app.get<{ Params: { app: string } }>('/apps/:app/config-vars', { schema: { params: appParams } }, async (request) =>
    store.deploys.configOf(store.apps.require(request.params.app)),
  );

  app.patch<{ Params: { app: string }; Body: ConfigPatch }>(
    '/apps/:app/config-vars',
    { schema: { params: appParams, body: patchBody } },
    async (request, reply) => {
      const { vars, release } = store.deploys.updateConfig(request.params.app, request.body, request.actor.name);
      if (release) {
        void reply.header(RELEASE_VERSION_HEADER, String(release.version));
        // Keys only: values never reach the platform's logs.
        request.log.info({ app: request.params.app, release: release.version, keys: Object.keys(request.body) }, 'config updated');
        // The answer does not wait: the new release rolls out behind it, as on Heroku.
        if (release.status === 'pending') void deployer.deploy(request.params.app, release.version);
      }
      return vars;
    },
  );
}
