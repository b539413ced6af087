import type { FastifyInstance } from 'fastify';

import type { FormationUpdate } from '@paas/core';

import { toFormationResources } from '../resources.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const patchBody = {
  type: 'object',
  required: ['updates'],
  additionalProperties: false,
  properties: {
    updates: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', minLength: 1, maxLength: 63 },
          quantity: { type: ['integer', 'string'], maxLength: 8 },
          size: { type: 'string', maxLength: 32 },
        },
      },
    },
  },
} as const;

export function registerFormationRoutes(app: FastifyInstance, { store, manager }: RouteContext): void {
  app.get<{ Params: { app: string } }>('/apps/:app/formation', { schema: { params: appParams } }, async (request) => {
    const record = store.apps.require(request.params.app);
    return toFormationResources(record, store.deploys.formation(record.name), store.deploys);
  });

  app.patch<{ Params: { app: string }; Body: { updates: FormationUpdate[] } }>(
    '/apps/:app/formation',
    { schema: { params: appParams, body: patchBody } },
    async (request) => {
      const record = store.apps.require(request.params.app);
      const next = store.deploys.updateFormation(record.name, request.body.updates, request.actor.name);
      request.log.info({ app: record.name, updates: request.body.updates }, 'formation updated');
      void manager.scaled(record.name);
      return toFormationResources(record, next, store.deploys);
    },
  );
}
