import type { FastifyInstance } from 'fastify';

import { PaasError, isConfigKey } from '@paas/core';
import type { ReviewAppConfigResource, ReviewAppResource } from '@paas/core';
import type { ReviewAppConfig, ReviewAppRecord } from '@paas/store';

import { webUrl } from '../resources.js';
import type { RouteContext } from './context.js';

const pipelineParams = { type: 'object', required: ['pipeline'], properties: { pipeline: { type: 'string', maxLength: 64 } } } as const;

const configBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    autodeploy: { type: 'boolean' },
    stale_days: { type: ['integer', 'null'], minimum: 1, maximum: 365 },
    env: { type: 'object', maxProperties: 200, additionalProperties: { type: 'string', maxLength: 32768 } },
  },
} as const;

const toConfigResource = (config: ReviewAppConfig): ReviewAppConfigResource => ({
  pipeline: { id: config.pipelineId, name: config.pipelineName },
  autodeploy: config.autodeploy,
  stale_days: config.staleDays,
  config_vars: Object.keys(config.env).sort(),
});

/** Review app settings per pipeline, and the review apps branch pushes made. */
export function registerReviewAppRoutes(app: FastifyInstance, { store, urls }: RouteContext): void {
  const toReviewResource = (review: ReviewAppRecord): ReviewAppResource => ({
    app: { id: review.appId, name: review.appName },
    pipeline: { id: review.pipelineId, name: review.pipelineName },
    branch: review.branch,
    parent_app: { name: review.parentAppName },
    web_url: webUrl(urls, review.appName),
    created_at: review.createdAt,
    updated_at: review.updatedAt,
  });
  const requireConfig = (pipeline: string): ReviewAppConfig => {
    const config = store.reviewApps.config(pipeline);
    if (!config) throw new PaasError('not_found', `Review apps are off for ${pipeline}: turn them on with paas reviewapps:enable -p ${pipeline}.`);
    return config;
  };

  app.get<{ Params: { pipeline: string } }>('/pipelines/:pipeline/review-app-config', { schema: { params: pipelineParams } }, async (request) =>
    toConfigResource(requireConfig(request.params.pipeline)),
  );

  app.post<{ Params: { pipeline: string }; Body: { autodeploy?: boolean; stale_days?: number | null; env?: Record<string, string> } }>(
    '/pipelines/:pipeline/review-app-config',
    { schema: { params: pipelineParams, body: configBody } },
    async (request, reply) => {
      const env = request.body.env ?? {};
      const bad = Object.keys(env).filter((key) => !isConfigKey(key));
      if (bad.length > 0) throw new PaasError('invalid_params', `env: not valid config var names: ${bad.join(', ')}.`);
      const config = store.reviewApps.enable(
        request.params.pipeline,
        { autodeploy: request.body.autodeploy ?? false, staleDays: request.body.stale_days ?? null, env },
        request.actor.name,
      );
      return reply.status(201).send(toConfigResource(config));
    },
  );

  app.delete<{ Params: { pipeline: string } }>('/pipelines/:pipeline/review-app-config', { schema: { params: pipelineParams } }, async (request) => {
    const config = requireConfig(request.params.pipeline);
    store.reviewApps.disable(request.params.pipeline, request.actor.name);
    return toConfigResource(config);
  });

  app.get<{ Params: { pipeline: string } }>('/pipelines/:pipeline/review-apps', { schema: { params: pipelineParams } }, async (request) =>
    store.reviewApps.list(request.params.pipeline).map(toReviewResource),
  );
}
