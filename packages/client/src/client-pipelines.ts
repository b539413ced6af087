import type {
  PipelineCouplingResource,
  PipelineDiffResource,
  PipelinePromotionResource,
  PipelinePromotionTargetResource,
  PipelineResource,
  ReviewAppConfigResource,
  ReviewAppResource,
} from '@paas/core';

import { appPath, pipelinePath, type Calls } from './calls.js';

/** Pipelines, their couplings and promotions, and review apps. */
export interface PipelineMethods {
  listPipelines(): Promise<PipelineResource[]>;
  createPipeline(name: string): Promise<PipelineResource>;
  getPipeline(pipeline: string): Promise<PipelineResource>;
  deletePipeline(pipeline: string): Promise<PipelineResource>;
  listPipelineCouplings(pipeline?: string): Promise<PipelineCouplingResource[]>;
  /** The app's coupling; a 404 ApiError when it is in no pipeline. */
  getAppPipelineCoupling(app: string): Promise<PipelineCouplingResource>;
  createPipelineCoupling(input: { app: string; pipeline: string; stage: string }): Promise<PipelineCouplingResource>;
  deletePipelineCoupling(id: string): Promise<PipelineCouplingResource>;
  /** What promoting `app` would bring to `to` (default: the next stage's apps). */
  getPipelineDiff(app: string, to?: readonly string[]): Promise<PipelineDiffResource>;
  createPipelinePromotion(source: string, targets?: readonly string[]): Promise<PipelinePromotionResource>;
  getPipelinePromotion(id: string): Promise<PipelinePromotionResource>;
  listPromotionTargets(promotion: string): Promise<PipelinePromotionTargetResource[]>;
  getReviewAppConfig(pipeline: string): Promise<ReviewAppConfigResource>;
  enableReviewApps(pipeline: string, input: { autodeploy?: boolean; stale_days?: number | null; env?: Readonly<Record<string, string>> }): Promise<ReviewAppConfigResource>;
  disableReviewApps(pipeline: string): Promise<ReviewAppConfigResource>;
  listReviewApps(pipeline: string): Promise<ReviewAppResource[]>;
}

export function pipelineMethods({ send, get }: Calls): PipelineMethods {
  return {
    listPipelines: () => get('/pipelines'),
    createPipeline: async (name) => (await send<PipelineResource>({ method: 'POST', path: '/pipelines', body: { name } })).body,
    getPipeline: (pipeline) => get(pipelinePath(pipeline)),
    deletePipeline: async (pipeline) => (await send<PipelineResource>({ method: 'DELETE', path: pipelinePath(pipeline) })).body,
    listPipelineCouplings: (pipeline) => get(pipeline === undefined ? '/pipeline-couplings' : `${pipelinePath(pipeline)}/pipeline-couplings`),
    getAppPipelineCoupling: (app) => get(`${appPath(app)}/pipeline-couplings`),
    createPipelineCoupling: async (input) => (await send<PipelineCouplingResource>({ method: 'POST', path: '/pipeline-couplings', body: input })).body,
    deletePipelineCoupling: async (id) => (await send<PipelineCouplingResource>({ method: 'DELETE', path: `/pipeline-couplings/${encodeURIComponent(id)}` })).body,
    getPipelineDiff: (app, to) => get(`${appPath(app)}/pipeline-diff${to === undefined || to.length === 0 ? '' : `?to=${encodeURIComponent(to.join(','))}`}`),
    createPipelinePromotion: async (source, targets) =>
      (
        await send<PipelinePromotionResource>({
          method: 'POST',
          path: '/pipeline-promotions',
          body: { source: { app: { id: source } }, ...(targets === undefined || targets.length === 0 ? {} : { targets: targets.map((id) => ({ app: { id } })) }) },
        })
      ).body,
    getPipelinePromotion: (id) => get(`/pipeline-promotions/${encodeURIComponent(id)}`),
    listPromotionTargets: (id) => get(`/pipeline-promotions/${encodeURIComponent(id)}/promotion-targets`),
    getReviewAppConfig: (pipeline) => get(`${pipelinePath(pipeline)}/review-app-config`),
    enableReviewApps: async (pipeline, input) =>
      (await send<ReviewAppConfigResource>({ method: 'POST', path: `${pipelinePath(pipeline)}/review-app-config`, body: input })).body,
    disableReviewApps: async (pipeline) => (await send<ReviewAppConfigResource>({ method: 'DELETE', path: `${pipelinePath(pipeline)}/review-app-config` })).body,
    listReviewApps: (pipeline) => get(`${pipelinePath(pipeline)}/review-apps`),
  };
}
