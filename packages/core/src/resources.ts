/**
 * The API's resources as they travel over the wire, shaped after Heroku's Platform
 * API v3 (snake_case fields, ISO times). The server builds them; the client and the
 * CLI read them.
 */
import type { ProcessSize } from './formation.js';
import type { MetricsPoint } from './metrics.js';
import type { ReleaseStatus } from './release.js';
import type { FactorResult } from './twelve-factor.js';

export interface AppResource {
  readonly id: string;
  readonly name: string;
  readonly web_url: string;
  readonly git_url: string;
  readonly maintenance: boolean;
  readonly created_at: string;
  readonly updated_at: string;
  readonly released_at: string | null;
  readonly current_release: { readonly id: string; readonly version: number } | null;
}

export interface ReleaseResource {
  readonly id: string;
  readonly app: { readonly id: string; readonly name: string };
  readonly version: number;
  readonly description: string;
  readonly status: ReleaseStatus;
  /** Why it failed or was superseded; null for the others. */
  readonly status_reason: string | null;
  readonly current: boolean;
  readonly actor: string;
  readonly slug: { readonly id: string; readonly commit: string | null } | null;
  readonly config_version: number;
  /** A path on the API with what the release phase printed; null when the release had none. */
  readonly output_stream_url: string | null;
  readonly created_at: string;
}

export interface FormationResource {
  readonly app: { readonly id: string; readonly name: string };
  readonly type: string;
  readonly quantity: number;
  readonly size: ProcessSize;
  readonly command: string;
}

export interface AccountResource {
  readonly name: string;
}

export type ConfigVarsResource = Readonly<Record<string, string>>;

export interface ErrorBody {
  readonly id: string;
  readonly message: string;
}

/** Response header naming the release a change made (absent when it made none). */
export const RELEASE_VERSION_HEADER = 'paas-release-version';

export type BuildStatus = 'pending' | 'succeeded' | 'failed';

export interface BuildResource {
  readonly id: string;
  readonly app: { readonly id: string; readonly name: string };
  readonly status: BuildStatus;
  /** The commit built (a push), or null (an upload of a directory). */
  readonly source_blob: { readonly version: string | null };
  readonly slug: { readonly id: string } | null;
  readonly release: { readonly id: string; readonly version: number } | null;
  readonly actor: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly finished_at: string | null;
}

export interface BuildpackInstallationResource {
  /** 0-based position: buildpacks run in this order. */
  readonly ordinal: number;
  readonly buildpack: { readonly url: string; readonly name: string };
}

/** Response header naming the build a source upload started. */
export const BUILD_ID_HEADER = 'paas-build-id';

/** A process of an app, as `paas ps` shows it (Heroku's "dyno"). */
export interface DynoResource {
  readonly name: string;
  readonly type: string;
  readonly state: 'up' | 'starting' | 'crashed' | 'down';
  readonly release: { readonly version: number };
  readonly command: string;
  readonly created_at: string;
  /** A crashed process's next restart, under backoff. */
  readonly restart_at?: string;
}

export interface DomainResource {
  readonly hostname: string;
  readonly app: { readonly id: string; readonly name: string };
  readonly created_at: string;
}

/** A log drain: where an app's log stream is copied to. The URL's credentials are redacted. */
export interface LogDrainResource {
  readonly id: string;
  readonly url: string;
  /** `d.<uuid>`: the syslog hostname and the `Logplex-Drain-Token` of every frame sent. */
  readonly token: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** Heroku's log session: open `logplex_url` (a path on the API) as a websocket within 5 minutes, once. */
export interface LogSessionResource {
  readonly id: string;
  readonly logplex_url: string;
  readonly created_at: string;
  readonly expires_at: string;
}

/** One websocket text frame of a log session. */
export type LogStreamFrame =
  | { readonly type: 'line'; readonly time: string; readonly source: 'app' | 'paas'; readonly process: string; readonly line: string }
  | { readonly type: 'missed'; readonly count: number };

/** One line of an app's audit log (`GET /apps/{app}/activity`): who did what, never config values. */
export interface ActivityResource {
  readonly id: number;
  readonly app: { readonly name: string };
  readonly actor: string;
  /** A stable dotted name: `config.update`, `release.create`, `domain.add`, … */
  readonly action: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly created_at: string;
}

export interface AddonResource {
  readonly id: string;
  readonly name: string;
  readonly addon_service: { readonly name: string };
  readonly plan: { readonly name: string };
  readonly app: { readonly id: string; readonly name: string };
  /** Heroku's states: `provisioning`, `provisioned`, `deprovisioned`; `failed` says why in `state_reason`. */
  readonly state: string;
  readonly state_reason: string | null;
  /** The names of the config vars its attachments set (never their values). */
  readonly config_vars: readonly string[];
  readonly provider: string;
  /** Daily backups (postgresql): the UTC hour and how many scheduled backups are kept; null when none. */
  readonly backup_schedule: { readonly at: string; readonly retention: number } | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface AddonAttachmentResource {
  readonly id: string;
  readonly name: string;
  readonly addon: { readonly id: string; readonly name: string; readonly app: { readonly id: string; readonly name: string } };
  readonly app: { readonly id: string; readonly name: string };
  readonly created_at: string;
}

export interface AddonBackupResource {
  readonly id: string;
  readonly name: string;
  readonly number: number;
  readonly status: 'running' | 'completed' | 'failed';
  readonly scheduled: boolean;
  readonly size: number | null;
  readonly sha256: string | null;
  /** What restoring it into a scratch database found; null until verified. */
  readonly verified: { readonly tables: number; readonly rows: number } | null;
  readonly error: string | null;
  readonly created_at: string;
  readonly finished_at: string | null;
}

/** `GET /apps/{app}/metrics`: one point per step, and the releases made in the window. */
export interface MetricsResource {
  readonly since: string;
  readonly until: string;
  readonly step_seconds: number;
  readonly points: readonly MetricsPoint[];
  readonly releases: readonly { readonly version: number; readonly description: string; readonly created_at: string }[];
}

/** `GET /apps/{app}/releases/{v}/twelve-factor`. */
export interface TwelveFactorResource {
  readonly release: number;
  readonly factors: readonly FactorResult[];
}
