/** The API's resources the dashboard reads. Types only: nothing from @paas/core reaches the browser. */
export type {
  ActivityResource,
  AppResource,
  BuildResource,
  BuildpackInstallationResource,
  ConfigVarsResource,
  DomainResource,
  DynoResource,
  FormationResource,
  ReleaseResource,
} from '@paas/core';

/** `GET /apps/{app}/log-drains`: the URL comes with its credentials redacted. */
export interface DrainResource {
  readonly id: string;
  readonly url: string;
  readonly token: string;
  readonly created_at: string;
}

/** `POST /apps/{app}/log-sessions`: a single-use websocket path for the live stream. */
export interface LogSessionResource {
  readonly id: string;
  readonly logplex_url: string;
  readonly created_at: string;
}

export const PROCESS_SIZES = ['eco', 'basic', 'standard', 'standard-2x', 'performance-m', 'performance-l'] as const;
