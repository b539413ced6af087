import { randomUUID } from 'node:crypto';

import { PaasError, assertPipelineName, describePromotion, notFound } from '@paas/core';
import type { PipelineStage, Release } from '@paas/core';

import type { AppStore } from './app-store.js';
import type { Db } from './database.js';
import { isUniqueViolation, now, writer } from './database.js';
import type { DeployStore } from './deploy-store.js';
import type { EventStore } from './event-store.js';
import type { SlugRecordStore } from './slug-records.js';

export interface PipelineRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CouplingRecord {
  readonly id: string;
  readonly pipelineId: string;
  readonly pipelineName: string;
  readonly appId: string;
  readonly appName: string;
  readonly stage: PipelineStage;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type PromotionTargetStatus = 'pending' | 'succeeded' | 'failed';

export interface PromotionTargetRecord {
  readonly id: string;
  readonly promotionId: string;
  readonly appId: string;
  readonly appName: string;
  readonly releaseId: string | null;
  readonly releaseVersion: number | null;
  readonly status: PromotionTargetStatus;
  readonly errorMessage: string | null;
}

export interface PromotionRecord {
  readonly id: string;
  readonly pipelineId: string;
  readonly pipelineName: string;
  readonly sourceAppId: string;
  readonly sourceAppName: string;
  readonly sourceReleaseId: string;
  readonly sourceReleaseVersion: number;
  readonly actor: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PipelineStore {
  create(name: string, actor: string): PipelineRecord;
  /** By id or name. */
  get(idOrName: string): PipelineRecord | undefined;
  require(idOrName: string): PipelineRecord;
  list(): PipelineRecord[];
  /** Removes the pipeline and its couplings; the apps stay. */
  destroy(idOrName: string, actor: string): PipelineRecord;
  couple(pipeline: string, appName: string, stage: PipelineStage, actor: string): CouplingRecord;
  /** All couplings, or a pipeline's, or an app's (at most one). */
  couplings(filter?: { pipeline?: string; appName?: string }): CouplingRecord[];
  couplingOf(appName: string): CouplingRecord | undefined;
  setStage(appName: string, stage: PipelineStage, actor: string): CouplingRecord;
  uncouple(appName: string, actor: string): CouplingRecord;
  /**
   * In one transaction: a promotion, and per target a slug record naming the source's slug
   * file (same checksum) and a release "Promote <app> vN" with the target's own config.
   */
  promote(sourceApp: string, targetApps: readonly string[], actor: string): { promotion: PromotionRecord; targets: { target: PromotionTargetRecord; release: Release }[] };
  finishTarget(targetId: string, outcome: { status: 'succeeded' } | { status: 'failed'; message: string }): PromotionTargetRecord;
  promotion(id: string): PromotionRecord | undefined;
  promotionTargets(promotionId: string): PromotionTargetRecord[];
}

interface PipelineRow { id: string; name: string; created_at: string; updated_at: string }
interface CouplingRow {
  id: string; pipeline_id: string; pipeline_name: string; app_id: string; app_name: string;
  stage: PipelineStage; created_at: string; updated_at: string;
}
interface PromotionRow {
  id: string; pipeline_id: string; pipeline_name: string; source_app_id: string; source_app_name: string;
  source_release_id: string; source_release_version: number; actor: string; created_at: string; updated_at: string;
}
interface TargetRow {
  id: string; promotion_id: string; app_id: string; app_name: string; release_id: string | null;
  release_version: number | null; status: PromotionTargetStatus; error_message: string | null;
}

const toPipeline = (row: PipelineRow): PipelineRecord => ({ id: row.id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at });
const toCoupling = (row: CouplingRow): CouplingRecord => ({
  id: row.id, pipelineId: row.pipeline_id, pipelineName: row.pipeline_name, appId: row.app_id, appName: row.app_name,
  stage: row.stage, createdAt: row.created_at, updatedAt: row.updated_at,
});
const toPromotion = (row: PromotionRow): PromotionRecord => ({
  id: row.id, pipelineId: row.pipeline_id, pipelineName: row.pipeline_name, sourceAppId: row.source_app_id,
  sourceAppName: row.source_app_name, sourceReleaseId: row.source_release_id, sourceReleaseVersion: row.source_release_version,
  actor: row.actor, createdAt: row.created_at, updatedAt: row.updated_at,
});
const toTarget = (row: TargetRow): PromotionTargetRecord => ({
  id: row.id, promotionId: row.promotion_id, appId: row.app_id, appName: row.app_name, releaseId: row.release_id,
  releaseVersion: row.release_version, status: row.status, errorMessage: row.error_message,
});

const COUPLING_SELECT = `SELECT c.*, p.name AS pipeline_name, a.name AS app_name
  FROM pipeline_couplings c JOIN pipelines p ON p.id = c.pipeline_id JOIN apps a ON a.id = c.app_id`;
const STAGE_ORDER = "CASE c.stage WHEN 'review' THEN 0 WHEN 'development' THEN 1 WHEN 'staging' THEN 2 ELSE 3 END";

export function createPipelineStore(db: Db, apps: AppStore, deploys: DeployStore, slugs: SlugRecordStore, events: EventStore): PipelineStore {
  const insert = db.prepare('INSERT INTO pipelines (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)');
  const byIdOrName = db.prepare<[string, string], PipelineRow>('SELECT * FROM pipelines WHERE id = ? OR name = ?');
  const all = db.prepare<[], PipelineRow>('SELECT * FROM pipelines ORDER BY name');
  const remove = db.prepare('DELETE FROM pipelines WHERE id = ?');
  const insertCoupling = db.prepare(
    'INSERT INTO pipeline_couplings (id, pipeline_id, app_id, stage, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const allCouplings = db.prepare<[], CouplingRow>(`${COUPLING_SELECT} ORDER BY p.name, ${STAGE_ORDER}, a.name`);
  const couplingsOf = db.prepare<[string], CouplingRow>(`${COUPLING_SELECT} WHERE c.pipeline_id = ? ORDER BY ${STAGE_ORDER}, a.name`);
  const couplingOfApp = db.prepare<[string], CouplingRow>(`${COUPLING_SELECT} WHERE a.name = ?`);
  const updateStage = db.prepare('UPDATE pipeline_couplings SET stage = ?, updated_at = ? WHERE id = ?');
  const removeCoupling = db.prepare('DELETE FROM pipeline_couplings WHERE id = ?');
  const insertPromotion = db.prepare(
    `INSERT INTO pipeline_promotions (id, pipeline_id, source_app_id, source_app_name, source_release_id, source_release_version, actor, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const promotionById = db.prepare<[string], PromotionRow>(
    'SELECT pr.*, p.name AS pipeline_name FROM pipeline_promotions pr JOIN pipelines p ON p.id = pr.pipeline_id WHERE pr.id = ?',
  );
  const insertTarget = db.prepare(
    `INSERT INTO pipeline_promotion_targets (id, promotion_id, app_id, app_name, release_id, release_version, status, error_message, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, ?, ?)`,
  );
  const targetsOf = db.prepare<[string], TargetRow>('SELECT * FROM pipeline_promotion_targets WHERE promotion_id = ? ORDER BY app_name');
  const targetById = db.prepare<[string], TargetRow>('SELECT * FROM pipeline_promotion_targets WHERE id = ?');
  const setTarget = db.prepare('UPDATE pipeline_promotion_targets SET status = ?, error_message = ?, updated_at = ? WHERE id = ?');
  const touchPromotion = db.prepare('UPDATE pipeline_promotions SET updated_at = ? WHERE id = ?');

  const get = (idOrName: string): PipelineRecord | undefined => {
    const row = byIdOrName.get(idOrName, idOrName);
    return row ? toPipeline(row) : undefined;
  };
  const requirePipeline = (idOrName: string): PipelineRecord => {
    const pipeline = get(idOrName);
    if (!pipeline) throw notFound('pipeline', idOrName);
    return pipeline;
  };
  const couplingOf = (appName: string): CouplingRecord | undefined => {
    const row = couplingOfApp.get(appName);
    return row ? toCoupling(row) : undefined;
  };
  const requireCoupling = (appName: string): CouplingRecord => {
    apps.require(appName);
    const coupling = couplingOf(appName);
    if (!coupling) throw new PaasError('not_found', `${appName} is not in a pipeline: add it with paas pipelines:add PIPELINE -a ${appName} --stage staging.`);
    return coupling;
  };

  return {
    create: writer(db, (name: string, actor: string) => {
      assertPipelineName(name);
      const at = now();
      const id = randomUUID();
      try {
        insert.run(id, name, at, at);
      } catch (error) {
        if (isUniqueViolation(error)) throw new PaasError('conflict', `A pipeline named ${name} already exists.`, { cause: error });
        throw error;
      }
      events.record(null, actor, 'pipeline.create', { pipeline: name });
      return { id, name, createdAt: at, updatedAt: at };
    }),
    get,
    require: requirePipeline,
    list: () => all.all().map(toPipeline),
    destroy: writer(db, (idOrName: string, actor: string) => {
      const pipeline = requirePipeline(idOrName);
      remove.run(pipeline.id);
      events.record(null, actor, 'pipeline.destroy', { pipeline: pipeline.name });
      return pipeline;
    }),
    couple: writer(db, (pipelineRef: string, appName: string, stage: PipelineStage, actor: string) => {
      const pipeline = requirePipeline(pipelineRef);
      const app = apps.require(appName);
      const existing = couplingOf(appName);
      if (existing) {
        throw new PaasError('conflict', `${appName} is already in the ${existing.pipelineName} pipeline (${existing.stage}): remove it first with paas pipelines:remove -a ${appName}.`);
      }
      const at = now();
      const id = randomUUID();
      insertCoupling.run(id, pipeline.id, app.id, stage, at, at);
      events.record(appName, actor, 'pipeline.couple', { pipeline: pipeline.name, stage });
      return { id, pipelineId: pipeline.id, pipelineName: pipeline.name, appId: app.id, appName, stage, createdAt: at, updatedAt: at };
    }),
    couplings(filter = {}) {
      if (filter.appName !== undefined) {
        const one = couplingOf(filter.appName);
        return one ? [one] : [];
      }
      if (filter.pipeline !== undefined) return couplingsOf.all(requirePipeline(filter.pipeline).id).map(toCoupling);
      return allCouplings.all().map(toCoupling);
    },
    couplingOf,
    setStage: writer(db, (appName: string, stage: PipelineStage, actor: string) => {
      const coupling = requireCoupling(appName);
      const at = now();
      updateStage.run(stage, at, coupling.id);
      events.record(appName, actor, 'pipeline.stage', { pipeline: coupling.pipelineName, stage });
      return { ...coupling, stage, updatedAt: at };
    }),
    uncouple: writer(db, (appName: string, actor: string) => {
      const coupling = requireCoupling(appName);
      removeCoupling.run(coupling.id);
      events.record(appName, actor, 'pipeline.uncouple', { pipeline: coupling.pipelineName });
      return coupling;
    }),
    promote: writer(db, (sourceApp: string, targetApps: readonly string[], actor: string) => {
      const coupling = requireCoupling(sourceApp);
      const source = deploys.currentRelease(sourceApp);
      const slug = source.slugId === null ? undefined : slugs.get(source.slugId);
      if (!slug) throw new PaasError('conflict', `${sourceApp} has no code to promote yet: push to it first.`);
      const at = now();
      const promotionId = randomUUID();
      insertPromotion.run(promotionId, coupling.pipelineId, coupling.appId, sourceApp, source.id, source.version, actor, at, at);
      const made = targetApps.map((appName) => {
        const target = apps.require(appName);
        // The same slug file (content-addressed) recorded for the target app: its releases,
        // retention and destroy then treat it as one of its own.
        const copy = slugs.create({ ...slug, appId: target.id });
        const release = deploys.createRelease(appName, { slugId: copy.id, description: describePromotion(sourceApp, source.version), actor });
        const id = randomUUID();
        insertTarget.run(id, promotionId, target.id, appName, release.id, release.version, at, at);
        return { target: toTarget({ id, promotion_id: promotionId, app_id: target.id, app_name: appName, release_id: release.id, release_version: release.version, status: 'pending', error_message: null }), release };
      });
      events.record(sourceApp, actor, 'pipeline.promote', { pipeline: coupling.pipelineName, release: source.version, targets: [...targetApps] });
      const promotion = promotionById.get(promotionId);
      if (!promotion) throw new Error('the promotion just written is missing');
      return { promotion: toPromotion(promotion), targets: made };
    }),
    finishTarget: writer(db, (targetId: string, outcome: { status: 'succeeded' } | { status: 'failed'; message: string }) => {
      const at = now();
      setTarget.run(outcome.status, outcome.status === 'failed' ? outcome.message : null, at, targetId);
      const row = targetById.get(targetId);
      if (!row) throw notFound('promotion target', targetId);
      touchPromotion.run(at, row.promotion_id);
      return toTarget(row);
    }),
    promotion(id) {
      const row = promotionById.get(id);
      return row ? toPromotion(row) : undefined;
    },
    promotionTargets: (promotionId) => targetsOf.all(promotionId).map(toTarget),
  };
}
