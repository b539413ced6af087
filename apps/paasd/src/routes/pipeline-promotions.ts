import type { FastifyInstance } from 'fastify';

import { PaasError, checkPromotion, diffPipelineApps, invalidParams, nextStage, notFound } from '@paas/core';
import type { PipelineAppFacts, PipelineDiffResource, PipelinePromotionResource, PipelinePromotionTargetResource } from '@paas/core';
import { STACK } from '@paas/stack';
import type { CouplingRecord, PromotionRecord, PromotionTargetRecord } from '@paas/store';

import type { RouteContext } from './context.js';
import { appParams } from './context.js';

const toPromotionResource = (promotion: PromotionRecord, targets: readonly PromotionTargetRecord[]): PipelinePromotionResource => ({
  id: promotion.id,
  pipeline: { id: promotion.pipelineId, name: promotion.pipelineName },
  source: {
    app: { id: promotion.sourceAppId, name: promotion.sourceAppName },
    release: { id: promotion.sourceReleaseId, version: promotion.sourceReleaseVersion },
  },
  status: targets.some((target) => target.status === 'pending') ? 'pending' : 'completed',
  created_at: promotion.createdAt,
  updated_at: promotion.updatedAt,
});

const toTargetResource = (target: PromotionTargetRecord): PipelinePromotionTargetResource => ({
  id: target.id,
  app: { id: target.appId, name: target.appName },
  release: target.releaseId === null || target.releaseVersion === null ? null : { id: target.releaseId, version: target.releaseVersion },
  pipeline_promotion: { id: target.promotionId },
  status: target.status,
  error_message: target.errorMessage,
});

const appRef = {
  type: 'object',
  required: ['app'],
  additionalProperties: false,
  properties: {
    app: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
  },
} as const;

interface PromotionBody {
  pipeline?: { id: string };
  source: { app: { id: string } };
  targets?: { app: { id: string } }[];
}

const promotionBody = {
  type: 'object',
  required: ['source'],
  additionalProperties: false,
  properties: {
    pipeline: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', maxLength: 64 } } },
    source: appRef,
    targets: { type: 'array', minItems: 1, maxItems: 20, items: appRef },
  },
} as const;

const promotionParams = { type: 'object', required: ['promotion'], properties: { promotion: { type: 'string', maxLength: 64 } } } as const;

/** Promotions: the source's current slug released in each downstream app, no build. */
export function registerPipelinePromotionRoutes(app: FastifyInstance, { store, deployer, disk, repos }: RouteContext): void {
  const { pipelines } = store;
  const appId = (idOrName: string): string => store.apps.list().find((candidate) => candidate.id === idOrName)?.name ?? idOrName;

  /** The apps a promotion from `source` goes to: those named (in its pipeline), else the next stage's. */
  const targetsOf = (source: CouplingRecord, named: readonly string[] | undefined): CouplingRecord[] => {
    const members = pipelines.couplings({ pipeline: source.pipelineId });
    if (named === undefined) {
      const stage = nextStage(source.stage);
      return members.filter((member) => member.stage === stage);
    }
    return named.map((name) => {
      const member = members.find((candidate) => candidate.appName === name);
      if (!member) throw invalidParams(`${name} is not in the ${source.pipelineName} pipeline: add it with paas pipelines:add ${source.pipelineName} -a ${name} --stage production.`);
      return member;
    });
  };

  const sourceCoupling = (appName: string): CouplingRecord => {
    store.apps.require(appName);
    const coupling = pipelines.couplingOf(appName);
    if (!coupling) throw new PaasError('not_found', `${appName} is not in a pipeline: add it with paas pipelines:add PIPELINE -a ${appName} --stage staging.`);
    return coupling;
  };

  const stackOf = (appName: string): string => store.deploys.currentSlug(appName)?.stack ?? STACK;
  const factsOf = (appName: string): PipelineAppFacts => ({
    configKeys: Object.keys(store.deploys.configOf(store.apps.require(appName))),
    addons: store.addons.attachments({ appName }).map((attachment) => ({ name: attachment.name, service: store.addons.get(attachment.addonId)?.service ?? 'unknown' })),
  });
  const refusal = (source: string, target: CouplingRecord): string | null => {
    try {
      checkPromotion(
        { app: source, releaseVersion: store.deploys.currentRelease(source).version, slug: store.deploys.currentSlug(source) },
        [{ app: target.appName, stack: stackOf(target.appName), sameApp: target.appName === source }],
      );
      return null;
    } catch (error) {
      if (error instanceof PaasError) return error.message;
      throw error;
    }
  };

  app.get<{ Params: { app: string }; Querystring: { to?: string } }>(
    '/apps/:app/pipeline-diff',
    { schema: { params: appParams, querystring: { type: 'object', additionalProperties: false, properties: { to: { type: 'string', maxLength: 1000 } } } } },
    async (request): Promise<PipelineDiffResource> => {
      const source = sourceCoupling(request.params.app);
      const named = request.query.to?.split(',').map((name) => name.trim()).filter((name) => name !== '');
      const sourceSlug = store.deploys.currentSlug(source.appName);
      const upstream = factsOf(source.appName);
      const describe = (coupling: CouplingRecord) => ({
        name: coupling.appName,
        stage: coupling.stage,
        release: store.deploys.currentRelease(coupling.appName).version,
        commit: store.deploys.currentSlug(coupling.appName)?.commit ?? null,
      });
      const targets = await Promise.all(
        targetsOf(source, named).map(async (target) => {
          const diff = diffPipelineApps(upstream, factsOf(target.appName));
          const from = store.deploys.currentSlug(target.appName)?.commit;
          const to = sourceSlug?.commit;
          const commits = from && to ? await repos.commitsBetween(source.appName, from, to) : null;
          return {
            app: describe(target),
            missing_config_vars: diff.missingConfig,
            missing_addons: diff.missingAddons,
            commits,
            refused: refusal(source.appName, target),
          };
        }),
      );
      return { app: describe(source), targets };
    },
  );

  app.post<{ Body: PromotionBody }>('/pipeline-promotions', { schema: { body: promotionBody } }, async (request, reply) => {
    const sourceApp = appId(request.body.source.app.id);
    const source = sourceCoupling(sourceApp);
    if (request.body.pipeline && ![source.pipelineId, source.pipelineName].includes(request.body.pipeline.id)) {
      throw invalidParams(`${sourceApp} is in the ${source.pipelineName} pipeline, not ${request.body.pipeline.id}.`);
    }
    const targets = targetsOf(source, request.body.targets?.map((target) => appId(target.app.id)));
    const release = store.deploys.currentRelease(sourceApp);
    const slug = store.deploys.currentSlug(sourceApp);
    checkPromotion(
      { app: sourceApp, releaseVersion: release.version, slug },
      targets.map((target) => ({ app: target.appName, stack: stackOf(target.appName), sameApp: target.appName === sourceApp })),
    );
    // Checked and recorded in one synchronous step, as a rollback is: the collector cannot come between.
    if (slug && disk.slugRemoved(slug.checksum)) {
      throw new PaasError('slug_collected', `The slug of ${sourceApp} v${String(release.version)} was removed by the disk collector: push the code to ${sourceApp} again.`);
    }
    const { promotion, targets: made } = pipelines.promote(sourceApp, targets.map((target) => target.appName), request.actor.name);
    request.log.info({ app: sourceApp, release: release.version, targets: made.length }, 'promotion created');
    for (const { target, release: targetRelease } of made) {
      void deployer
        .deploy(target.appName, targetRelease.version)
        .then((result) => pipelines.finishTarget(target.id, result.ok ? { status: 'succeeded' } : { status: 'failed', message: result.message ?? `v${String(targetRelease.version)} did not go live.` }))
        .catch((error: unknown) => {
          request.log.error({ err: error, app: target.appName }, 'promotion target not recorded');
        });
    }
    return reply.status(201).send(toPromotionResource(promotion, made.map((entry) => entry.target)));
  });

  const requirePromotion = (id: string): PromotionRecord => {
    const promotion = pipelines.promotion(id);
    if (!promotion) throw notFound('pipeline promotion', id);
    return promotion;
  };

  app.get<{ Params: { promotion: string } }>('/pipeline-promotions/:promotion', { schema: { params: promotionParams } }, async (request) => {
    const promotion = requirePromotion(request.params.promotion);
    return toPromotionResource(promotion, pipelines.promotionTargets(promotion.id));
  });

  app.get<{ Params: { promotion: string } }>('/pipeline-promotions/:promotion/promotion-targets', { schema: { params: promotionParams } }, async (request) =>
    pipelines.promotionTargets(requirePromotion(request.params.promotion).id).map(toTargetResource),
  );
}
