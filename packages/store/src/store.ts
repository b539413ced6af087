import { join } from 'node:path';

import type { AddonStore } from './addon-store.js';
import { createAddonStore } from './addon-store.js';

import type { AppStore } from './app-store.js';
import { createAppStore } from './app-store.js';
import type { BuildStore } from './build-store.js';
import { createBuildStore } from './build-store.js';
import { DATABASE_FILE, openDatabase } from './database.js';
import type { CertificateStore } from './certificate-store.js';
import { createCertificateStore } from './certificate-store.js';
import type { DeployStore } from './deploy-store.js';
import { createDeployStore } from './deploy-store.js';
import type { DomainStore } from './domain-store.js';
import { createDomainStore } from './domain-store.js';
import type { DrainStore } from './drain-store.js';
import { createDrainStore } from './drain-store.js';
import type { EventListener, EventStore } from './event-store.js';
import { createEventStore } from './event-store.js';
import { createGroupCommit } from './group-commit.js';
import { startWalCheckpoints } from './wal-checkpoints.js';
import type { PipelineStore } from './pipeline-store.js';
import type { PostdeployStore } from './postdeploy-store.js';
import type { ReviewAppStore } from './review-app-store.js';
import { createReviewAppStore } from './review-app-store.js';
import { createPostdeployStore } from './postdeploy-store.js';
import { createPipelineStore } from './pipeline-store.js';
import type { MetricStore } from './metric-store.js';
import { createMetricStore } from './metric-store.js';
import { createReleaseRows } from './release-store.js';
import type { ReleaseOutputStore } from './release-output-store.js';
import { createReleaseOutputStore } from './release-output-store.js';
import type { SlugRecordStore } from './slug-records.js';
import type { SlugUsage } from './slug-usage.js';
import { createSlugUsage } from './slug-usage.js';
import { createSlugRecordStore } from './slug-records.js';
import type { TokenStore } from './token-store.js';
import type { UserStore } from './user-store.js';
import { createUserStore } from './user-store.js';
import type { AppAccessStore } from './app-access-store.js';
import { createAppAccessStore } from './app-access-store.js';
import { createTokenStore } from './token-store.js';

/** The platform's memory: one SQLite file in the data dir. */
export interface Store {
  readonly apps: AppStore;
  readonly deploys: DeployStore;
  readonly releaseOutputs: ReleaseOutputStore;
  readonly slugs: SlugRecordStore;
  /** Which slugs releases still refer to, for the disk collector. */
  readonly slugUsage: SlugUsage;
  readonly builds: BuildStore;
  readonly drains: DrainStore;
  readonly domains: DomainStore;
  readonly certificates: CertificateStore;
  readonly tokens: TokenStore;
  /** People who use the platform: admins see every app, members the apps they were given. */
  readonly users: UserStore;
  /** Which members may do what on which app. */
  readonly access: AppAccessStore;
  readonly events: EventStore;
  readonly addons: AddonStore;
  /** Pipelines, their couplings of apps to stages, and promotions. */
  readonly pipelines: PipelineStore;
  /** The once-per-app app.json postdeploy run. */
  readonly postdeploys: PostdeployStore;
  /** Review app settings per pipeline, and the review apps made from branches. */
  readonly reviewApps: ReviewAppStore;
  /** Per-minute metrics (24 hours) and what was observed of each release. */
  readonly metrics: MetricStore;
  /** Resolves once every change made so far is on disk (group commit); await it before acknowledging a change. */
  durable(): Promise<void>;
  /**
   * A number that changes whenever a row anywhere in the store changes (SQLite's
   * `total_changes()` on the one connection paasd writes through): answers derived from
   * the store can be kept and reused until it moves.
   */
  generation(): number;
  close(): void;
}

export function createStore(options: { dataDir: string; onEvent?: EventListener }): Store {
  const db = openDatabase(options.dataDir);
  const commits = createGroupCommit(join(options.dataDir, `${DATABASE_FILE}-wal`));
  const checkpoints = startWalCheckpoints(db);
  const events = createEventStore(db, options.onEvent);
  const releases = createReleaseRows(db);
  const apps = createAppStore(db, releases, events);
  const slugs = createSlugRecordStore(db);
  const deploys = createDeployStore(db, apps, releases, slugs, events);
  const pipelines = createPipelineStore(db, apps, deploys, slugs, events);
  const totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  return {
    apps,
    deploys,
    addons: createAddonStore(db, apps, deploys, events),
    pipelines,
    postdeploys: createPostdeployStore(db, apps),
    reviewApps: createReviewAppStore(db, apps, pipelines, events),
    releaseOutputs: createReleaseOutputStore(db),
    slugs,
    slugUsage: createSlugUsage(db),
    builds: createBuildStore(db),
    drains: createDrainStore(db, events),
    domains: createDomainStore(db, events),
    certificates: createCertificateStore(db, events),
    tokens: createTokenStore(db),
    users: createUserStore(db, events),
    access: createAppAccessStore(db, events),
    metrics: createMetricStore(db),
    events,
    durable: () => commits.durable(),
    generation: () => totalChanges.get() ?? 0,
    close() {
      checkpoints.stop();
      db.close();
      // Only the WAL file's handle is left to close; nothing waits on it.
      void commits.close();
    },
  };
}
