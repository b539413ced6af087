import type { FastifyRequest } from 'fastify';

import type { TargetPolicy } from '@paas/core';
import type { RepoStore } from '@paas/git';
import type { LogRouter } from '@paas/logs';
import type { ProcessManager } from '@paas/runtime';
import type { Store } from '@paas/store';

import type { AddonBackups } from '../addons/addon-backups.js';
import type { ReviewApps } from '../deploy/review-apps.js';
import type { AddonService } from '../addons/addon-service.js';
import type { AcmeService } from '../acme/acme-service.js';
import type { AppAccess } from '../access/app-access.js';
import type { TokenStreams } from '../access/token-streams.js';
import type { Actor } from '../auth.js';
import type { BuildService } from '../deploy/build-service.js';
import type { DiskCollector } from '../disk/disk-collector.js';
import type { LogSessions } from '../logs/log-sessions.js';
import type { ReleaseDeployer } from '../deploy/release-deployer.js';
import type { PublicUrls } from '../resources.js';
import type { Rendezvous } from '../rendezvous/rendezvous-server.js';

/** What the API routes share; built once in `buildServer`. */
export interface RouteContext {
  readonly store: Store;
  readonly urls: PublicUrls;
  readonly repos: RepoStore;
  readonly builds: BuildService;
  readonly manager: ProcessManager;
  readonly deployer: ReleaseDeployer;
  /** Apps, domains or maintenance changed: the router's table must follow. */
  readonly onRoutingChange: () => void;
  /**
   * Resolves once the data plane serves every change made so far (nginx reloads after the
   * table changes): a certificate, domain or maintenance change is in effect when the API answers.
   */
  readonly routingApplied: () => Promise<void>;
  readonly logs: LogRouter;
  readonly logSessions: LogSessions;
  /** The app's drains changed in the store: the log router's must follow. */
  readonly syncDrains: (app: string) => Promise<void>;
  /** Slugs, images and unpacked copies kept by the retention rule; the rest collected. */
  readonly disk: DiskCollector;
  /** Backing services (add-ons) and their attachments. */
  readonly addons: AddonService;
  readonly backups: AddonBackups;
  /** Apps made from branches of pipeline apps. */
  readonly reviewApps: ReviewApps;
  /** Which addresses drains and buildpack git URLs may reach. */
  readonly targets: TargetPolicy;
  /** Heroku's rendezvous for attached one-offs (`heroku run`), when paasd listens for it. */
  readonly rendezvous?: Rendezvous;
  /** Automatic certificates: orders on demand (ACM on, a domain added, a refresh). */
  readonly acme: AcmeService;
  /** Who may reach which app: lists show only what the caller may see. */
  readonly access: AppAccess;
  /** Open log streams and one-offs by token, ended when the token is revoked or expires. */
  readonly tokenStreams: TokenStreams;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

/** Where this API was reached, for URLs we hand back (log sessions). */
export function apiOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** Where git should reach this API: over HTTPS whenever it is on, so the token never crosses in clear. */
export function gitOrigin(request: FastifyRequest, urls: PublicUrls): string {
  if (urls.apiTlsPort === undefined || request.protocol === 'https') return apiOrigin(request);
  const host = request.hostname.includes(':') && !request.hostname.startsWith('[') ? `[${request.hostname}]` : request.hostname;
  return `https://${host}:${String(urls.apiTlsPort)}`;
}

export const appParams = {
  type: 'object',
  required: ['app'],
  properties: { app: { type: 'string', maxLength: 64 } },
} as const;
