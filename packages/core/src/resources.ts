/**
 * The API's resources as they travel over the wire, shaped after Heroku's Platform
 * API v3 (snake_case fields, ISO times). The server builds them; the client and the
 * CLI read them.
 */
import type { ProcessSize } from './formation.js';
import type { MetricsPoint } from './metrics.js';
import type { ReleaseStatus } from './release.js';
import type { FactorResult } from './twelve-factor.js';

/** A person as Heroku names one: the token owner, as app owner, release user and collaborator. */
export interface UserRef {
  readonly id: string;
  readonly email: string;
}

/** Heroku's `{id, name}` references (region, stack, generation). */
export interface NamedRef {
  readonly id: string;
  readonly name: string;
}

export interface AppResource {
  readonly id: string;
  readonly name: string;
  readonly web_url: string;
  readonly git_url: string;
  readonly maintenance: boolean;
  /** Automatic certificates for the app's custom domains. */
  readonly acm: boolean;
  /** Plain HTTP requests are answered with a redirect to HTTPS. */
  readonly redirect_https: boolean;
  readonly created_at: string;
  readonly updated_at: string;
  readonly released_at: string | null;
  readonly current_release: { readonly id: string; readonly version: number } | null;
  // Heroku's fields, for its CLI: paas has one owner (the caller), one region and no teams.
  readonly owner: UserRef;
  readonly region: NamedRef;
  readonly stack: NamedRef;
  readonly build_stack: NamedRef;
  readonly generation: NamedRef;
  /** Bytes of the current slug; null before the first deploy. */
  readonly slug_size: number | null;
  readonly repo_size: number | null;
  readonly archived_at: null;
  readonly buildpack_provided_description: string | null;
  readonly create_status: 'complete';
  readonly internal_routing: null;
  readonly space: null;
  readonly team: null;
  readonly organization: null;
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
  // Heroku's fields: the actor as a user, and whether `rollback` may pick this release.
  readonly user: UserRef;
  readonly eligible_for_rollback: boolean;
  readonly addon_plan_names: readonly string[];
  readonly updated_at: string;
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
  /** Heroku's: the CLI prints and compares these. */
  readonly id: string;
  readonly email: string;
  /** paas's: `admin` sees every app, `member` the apps given to them. */
  readonly role: 'admin' | 'member';
  readonly created_at: string;
  readonly updated_at: string;
}

/** A user of the platform (`/users`, admins only). */
export interface UserResource {
  readonly id: string;
  readonly email: string;
  readonly role: 'admin' | 'member';
  readonly created_at: string;
  readonly updated_at: string;
}

/** `POST /users`: the new user and their first token, shown this once. */
export interface NewUserResource extends UserResource {
  readonly authorization: AuthorizationResource;
}

/** Heroku's OAuth authorization: one API token of the caller's. */
export interface AuthorizationResource {
  readonly id: string;
  readonly description: string;
  readonly scope: ['read' | 'write' | 'global'];
  readonly created_at: string;
  readonly updated_at: string;
  /** The secret only when made or rotated; afterwards only its hash is kept. */
  readonly access_token: { readonly id: string; readonly token: string | null; readonly expires_in: number | null };
  readonly user: UserRef;
  readonly grant: null;
  readonly client: null;
  readonly refresh_token: null;
  readonly session: null;
  /** paas's: when the token was last used (minute precision), and when it stops working. */
  readonly last_used_at: string | null;
  readonly expires_at: string | null;
}

/** Heroku's app permission, with its words. */
export interface PermissionResource {
  readonly name: 'view' | 'deploy' | 'operate' | 'manage';
  readonly description: string;
}

/** Heroku's collaborator: who may reach an app, and how far. */
export interface CollaboratorResource {
  readonly id: string;
  readonly app: { readonly id: string; readonly name: string };
  readonly user: UserRef & { readonly federated: boolean };
  readonly role: 'owner' | 'collaborator';
  readonly permissions: PermissionResource[];
  readonly created_at: string;
  readonly updated_at: string;
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
  /** app.json as the build read it from the source, checked; null when there was none. */
  readonly app_json: unknown;
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
  /** The machine it runs on, when the runtime spans several (Swarm: the node's hostname). */
  readonly node?: string;
  // Heroku's fields: `heroku ps` shows the size and how long since the state changed.
  readonly id: string;
  readonly size: ProcessSize;
  readonly updated_at: string;
  readonly app: { readonly id: string; readonly name: string };
  readonly attach_url: string | null;
}

export interface DomainResource {
  readonly hostname: string;
  readonly app: { readonly id: string; readonly name: string };
  readonly created_at: string;
  // Heroku's fields: the router answers for it at once, so it is never waiting for DNS.
  readonly id: string;
  readonly kind: 'custom' | 'heroku';
  /** What to point the hostname's DNS at: the app's own host under the platform's domain. */
  readonly cname: string;
  readonly status: 'none';
  readonly acm_status: null;
  readonly sni_endpoint: null;
  readonly updated_at: string;
}

/** A certificate an app serves (Heroku's SNI endpoint), uploaded or issued by ACME. */
export interface SniEndpointResource {
  readonly id: string;
  readonly app: { readonly id: string; readonly name: string };
  /** `uploaded` (paas certs:add) or `acm` (automatic). */
  readonly source: 'uploaded' | 'acm';
  /** The app's custom domains it covers. */
  readonly domains: readonly string[];
  readonly ssl_cert: {
    readonly cert_domains: readonly string[];
    readonly issuer: string;
    readonly starts_at: string;
    readonly expires_at: string;
  };
  readonly created_at: string;
}

/** Where one custom domain stands for HTTPS. */
export interface DomainCertificateStatus {
  readonly hostname: string;
  /**
   * `cert issued` / `pending` / `failing` (ACME), `uploaded` (a certificate added by hand
   * serves it), `expired`, or `none` (the platform certificate answers, which does not cover it).
   */
  readonly status: 'cert issued' | 'pending' | 'failing' | 'uploaded' | 'expired' | 'none';
  /** The last ACME failure, while it is not resolved. */
  readonly status_reason: string | null;
  readonly next_attempt_at: string | null;
  /** The certificate serving the domain now, if any. */
  readonly certificate: { readonly id: string; readonly source: 'uploaded' | 'acm'; readonly issuer: string; readonly expires_at: string } | null;
}

/** Automatic certificate management for an app (Heroku's `/apps/{app}/acm`). */
export interface AcmResource {
  readonly acm: boolean;
  readonly redirect_https: boolean;
  readonly domains: readonly DomainCertificateStatus[];
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
  /** The server's memory limit in MiB (its plan's size); null when it is not limited (add-ons on the host). */
  readonly memory_mb: number | null;
  /** PostgreSQL's major (`15`), fixed when the add-on is made and changed only by `pg:upgrade`; null for other services or when not known yet. */
  readonly version: string | null;
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

export interface PipelineResource {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface PipelineCouplingResource {
  readonly id: string;
  readonly app: { readonly id: string; readonly name: string };
  readonly pipeline: { readonly id: string; readonly name: string };
  /** `review`, `development`, `staging` or `production`. */
  readonly stage: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface PipelinePromotionResource {
  readonly id: string;
  readonly pipeline: { readonly id: string; readonly name: string };
  readonly source: { readonly app: { readonly id: string; readonly name: string }; readonly release: { readonly id: string; readonly version: number } };
  /** `pending` while any target deploys, then `completed` (each target says how it ended). */
  readonly status: 'pending' | 'completed';
  readonly created_at: string;
  readonly updated_at: string;
}

export interface PipelinePromotionTargetResource {
  readonly id: string;
  readonly app: { readonly id: string; readonly name: string };
  /** The release made in the target app; null when none was made. */
  readonly release: { readonly id: string; readonly version: number } | null;
  readonly pipeline_promotion: { readonly id: string };
  /** `pending`, `succeeded` or `failed` (then `error_message` says why). */
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly error_message: string | null;
}

/** What promoting an app would bring downstream (`GET /apps/{app}/pipeline-diff`). */
export interface PipelineDiffResource {
  readonly app: { readonly name: string; readonly stage: string; readonly release: number; readonly commit: string | null };
  readonly targets: readonly {
    readonly app: { readonly name: string; readonly stage: string; readonly release: number; readonly commit: string | null };
    readonly missing_config_vars: readonly string[];
    readonly missing_addons: readonly { readonly name: string; readonly service: string }[];
    /** Commits upstream has that downstream runs without, newest first; null when they cannot be compared. */
    readonly commits: readonly { readonly sha: string; readonly author: string; readonly message: string }[] | null;
    /** Why this target cannot take the upstream slug; null when it can. */
    readonly refused: string | null;
  }[];
}

export interface ReviewAppConfigResource {
  readonly pipeline: { readonly id: string; readonly name: string };
  readonly autodeploy: boolean;
  /** Review apps not pushed to for this many days are destroyed; null: never. */
  readonly stale_days: number | null;
  /** Names of the config vars review apps start with (never their values). */
  readonly config_vars: readonly string[];
}

export interface ReviewAppResource {
  readonly app: { readonly id: string; readonly name: string };
  readonly pipeline: { readonly id: string; readonly name: string };
  readonly branch: string;
  /** The app the branch was pushed to. */
  readonly parent_app: { readonly name: string };
  readonly web_url: string;
  readonly created_at: string;
  readonly updated_at: string;
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
