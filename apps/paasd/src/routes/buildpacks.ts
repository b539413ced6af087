import type { FastifyInstance } from 'fastify';

import { invalidParams } from '@paas/core';
import type { BuildpackInstallationResource } from '@paas/core';
import { BuildpackRefError, parseBuildpackRef } from '@paas/builder';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const putBody = {
  type: 'object',
  required: ['updates'],
  additionalProperties: false,
  properties: {
    updates: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        required: ['buildpack'],
        additionalProperties: false,
        properties: { buildpack: { type: 'string', minLength: 1, maxLength: 1024 } },
      },
    },
  },
} as const;

function toInstallations(buildpacks: readonly string[]): BuildpackInstallationResource[] {
  return buildpacks.map((url, ordinal) => ({ ordinal, buildpack: { url, name: parseBuildpackRef(url).display } }));
}

export function registerBuildpackRoutes(app: FastifyInstance, { store, targets }: RouteContext): void {
  app.get<{ Params: { app: string } }>('/apps/:app/buildpack-installations', { schema: { params: appParams } }, async (request) =>
    toInstallations(store.apps.require(request.params.app).buildpacks),
  );

  app.put<{ Params: { app: string }; Body: { updates: { buildpack: string }[] } }>(
    '/apps/:app/buildpack-installations',
    { schema: { params: appParams, body: putBody } },
    async (request) => {
      const refs = request.body.updates.map(({ buildpack }) => {
        try {
          parseBuildpackRef(buildpack, { targets });
          return buildpack.trim();
        } catch (error) {
          if (error instanceof BuildpackRefError) {
            throw invalidParams(`Invalid buildpack: ${error.message}.`);
          }
          throw error;
        }
      });
      return toInstallations(store.apps.setBuildpacks(request.params.app, refs, request.actor.name).buildpacks);
    },
  );
}
