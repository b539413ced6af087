import { APP_NAME_RULE, isNewAppName } from './app-name.js';
import { PaasError, invalidParams } from './errors.js';

/** Heroku's stages, in the order code flows through them. */
export const PIPELINE_STAGES = ['review', 'development', 'staging', 'production'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export function isPipelineStage(value: unknown): value is PipelineStage {
  return typeof value === 'string' && (PIPELINE_STAGES as readonly string[]).includes(value);
}

/** Pipeline names follow the app-name rule: they name review apps (`<pipeline>-<branch>`). */
export function assertPipelineName(name: string): string {
  if (!isNewAppName(name)) throw invalidParams(`${JSON.stringify(name)} is not a valid pipeline name: ${APP_NAME_RULE}.`);
  return name;
}

/** The stage a promotion from `stage` goes to by default; undefined at the end of the line. */
export function nextStage(stage: PipelineStage): PipelineStage | undefined {
  if (stage === 'review' || stage === 'development') return 'staging';
  if (stage === 'staging') return 'production';
  return undefined;
}

/** What promoting would take to a downstream app, decided from data alone. */
export interface PromotionSource {
  readonly app: string;
  readonly releaseVersion: number;
  /** The slug of the source's current release; undefined when it has no code yet. */
  readonly slug: { readonly stack: string; readonly commit: string | null } | undefined;
}

export interface PromotionTargetFacts {
  readonly app: string;
  /** The stack the target runs: its current slug's, else the platform's. */
  readonly stack: string;
  readonly sameApp: boolean;
}

/** Refuses a promotion that cannot run downstream; the message says what to do instead. */
export function checkPromotion(source: PromotionSource, targets: readonly PromotionTargetFacts[]): void {
  if (!source.slug) {
    throw new PaasError('conflict', `${source.app} has no code to promote yet: push to it first (git push paas main).`);
  }
  if (targets.length === 0) {
    throw new PaasError('conflict', `${source.app} has no downstream app to promote to: add one with paas pipelines:add PIPELINE -a APP --stage production.`);
  }
  for (const target of targets) {
    if (target.sameApp) throw invalidParams(`${source.app} cannot be promoted to itself.`);
    if (target.stack !== source.slug.stack) {
      throw new PaasError(
        'stack_mismatch',
        `The slug of ${source.app} v${String(source.releaseVersion)} was built on the ${source.slug.stack} stack and cannot run on ${target.app}, which runs on ${target.stack}: push the code to ${target.app} to build it there.`,
      );
    }
  }
}

export interface PipelineAppFacts {
  readonly configKeys: readonly string[];
  /** Add-on services (`postgresql`, `redis`) attached, by attachment name (`DATABASE`). */
  readonly addons: readonly { readonly name: string; readonly service: string }[];
}

export interface PipelineDiff {
  /** Config keys set upstream that the downstream app does not have. */
  readonly missingConfig: readonly string[];
  /** Attachments upstream with no attachment of the same name downstream. */
  readonly missingAddons: readonly { readonly name: string; readonly service: string }[];
}

/** What the downstream app lacks that the upstream one has (keys only, never values). */
export function diffPipelineApps(upstream: PipelineAppFacts, downstream: PipelineAppFacts): PipelineDiff {
  const keys = new Set(downstream.configKeys);
  const attached = new Set(downstream.addons.map((addon) => addon.name));
  return {
    missingConfig: upstream.configKeys.filter((key) => !keys.has(key)).sort(),
    missingAddons: upstream.addons.filter((addon) => !attached.has(addon.name)),
  };
}

export function describePromotion(app: string, version: number): string {
  return `Promote ${app} v${String(version)}`;
}

/**
 * The review app of a branch: `<pipeline>-<branch>` as a valid app name (lowercase, words of
 * letters and digits joined by single dashes, at most 30 characters), with `-2`, `-3` … when
 * the name is taken by an app that is not this branch's review app.
 */
export function reviewAppName(pipeline: string, branch: string, taken: (name: string) => boolean): string {
  const words = `${pipeline}-${branch}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const base = (/^[a-z]/.test(words) ? words : `r-${words}`).slice(0, 30).replace(/-+$/, '');
  for (let n = 1; n < 1000; n += 1) {
    const suffix = n === 1 ? '' : `-${String(n)}`;
    const name = `${base.slice(0, 30 - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken(name) && isNewAppName(name)) return name;
  }
  throw new PaasError('conflict', `No free app name for the review app of ${branch}.`);
}
