/** The API's resources the dashboard reads. Types only: nothing from @paas/core reaches the browser. */
export type {
  ActivityResource,
  AddonAttachmentResource,
  AddonBackupResource,
  AddonResource,
  AppResource,
  BuildResource,
  BuildpackInstallationResource,
  ConfigVarsResource,
  DomainResource,
  DynoResource,
  FormationResource,
  LogSessionResource,
  LogStreamFrame,
  PipelineCouplingResource,
  PipelineDiffResource,
  PipelinePromotionResource,
  FactorResult,
  MetricsPoint,
  MetricsResource,
  TwelveFactorResource,
  ReleaseResource,
  ReviewAppResource,
} from '@paas/core';
/** `GET /apps/{app}/log-drains`: the URL comes with its credentials redacted. */
export type { LogDrainResource as DrainResource } from '@paas/core';

export const PROCESS_SIZES = ['eco', 'basic', 'standard', 'standard-2x', 'performance-m', 'performance-l'] as const;
