import type { FastifyInstance } from 'fastify';

import { PIPELINE_STAGES, notFound } from '@paas/core';
import type { PipelineCouplingResource, PipelineResource, PipelineStage } from '@paas/core';
import type { CouplingRecord, PipelineRecord } from '@paas/store';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

export const toPipelineResource = (pipeline: PipelineRecord): PipelineResource => ({
  id: pipeline.id,
  name: pipeline.name,
  created_at: pipeline.createdAt,
  updated_at: pipeline.updatedAt,
});

export const toCouplingResource = (coupling: CouplingRecord): PipelineCouplingResource => ({
  id: coupling.id,
  app: { id: coupling.appId, name: coupling.appName },
  pipeline: { id: coupling.pipelineId, name: coupling.pipelineName },
  stage: coupling.stage,
  created_at: coupling.createdAt,
  updated_at: coupling.updatedAt,
});

const pipelineParams = {
  type: 'object',
  required: ['pipeline'],
  properties: { pipeline: { type: 'string', maxLength: 64 } },
} as const;
const couplingParams = {
  type: 'object',
  required: ['coupling'],
  properties: { coupling: { type: 'string', maxLength: 64 } },
} as const;
const stage = { type: 'string', enum: [...PIPELINE_STAGES] } as const;
const ref = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** Pipelines and couplings, in Heroku's shapes; a pipeline is named by id or name. */
export function registerPipelineRoutes(app: FastifyInstance, { store }: RouteContext): void {
  const { pipelines } = store;

  app.get('/pipelines', async () => pipelines.list().map(toPipelineResource));

  app.post<{ Body: { name: string } }>(
    '/pipelines',
    { schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: ref } } } },
    async (request, reply) => reply.status(201).send(toPipelineResource(pipelines.create(request.body.name, request.actor.name))),
  );

  app.get<{ Params: { pipeline: string } }>('/pipelines/:pipeline', { schema: { params: pipelineParams } }, async (request) =>
    toPipelineResource(pipelines.require(request.params.pipeline)),
  );

  app.delete<{ Params: { pipeline: string } }>('/pipelines/:pipeline', { schema: { params: pipelineParams } }, async (request) =>
    toPipelineResource(pipelines.destroy(request.params.pipeline, request.actor.name)),
  );

  app.get<{ Params: { pipeline: string } }>('/pipelines/:pipeline/pipeline-couplings', { schema: { params: pipelineParams } }, async (request) =>
    pipelines.couplings({ pipeline: request.params.pipeline }).map(toCouplingResource),
  );

  app.get('/pipeline-couplings', async () => pipelines.couplings().map(toCouplingResource));

  app.post<{ Body: { app: string; pipeline: string; stage: PipelineStage } }>(
    '/pipeline-couplings',
    {
      schema: {
        body: { type: 'object', required: ['app', 'pipeline', 'stage'], additionalProperties: false, properties: { app: ref, pipeline: ref, stage } },
      },
    },
    async (request, reply) => {
      const coupling = pipelines.couple(request.body.pipeline, request.body.app, request.body.stage, request.actor.name);
      return reply.status(201).send(toCouplingResource(coupling));
    },
  );

  const couplingById = (id: string): CouplingRecord => {
    const coupling = pipelines.couplings().find((candidate) => candidate.id === id);
    if (!coupling) throw notFound('pipeline coupling', id);
    return coupling;
  };

  app.get<{ Params: { coupling: string } }>('/pipeline-couplings/:coupling', { schema: { params: couplingParams } }, async (request) =>
    toCouplingResource(couplingById(request.params.coupling)),
  );

  app.patch<{ Params: { coupling: string }; Body: { stage: PipelineStage } }>(
    '/pipeline-couplings/:coupling',
    { schema: { params: couplingParams, body: { type: 'object', required: ['stage'], additionalProperties: false, properties: { stage } } } },
    async (request) => toCouplingResource(pipelines.setStage(couplingById(request.params.coupling).appName, request.body.stage, request.actor.name)),
  );

  app.delete<{ Params: { coupling: string } }>('/pipeline-couplings/:coupling', { schema: { params: couplingParams } }, async (request) =>
    toCouplingResource(pipelines.uncouple(couplingById(request.params.coupling).appName, request.actor.name)),
  );

  // Heroku answers with the app's one coupling, 404 when it has none.
  app.get<{ Params: { app: string } }>('/apps/:app/pipeline-couplings', { schema: { params: appParams } }, async (request) => {
    store.apps.require(request.params.app);
    const coupling = pipelines.couplingOf(request.params.app);
    if (!coupling) throw notFound('pipeline coupling for app', request.params.app);
    return toCouplingResource(coupling);
  });
}
