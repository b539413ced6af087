import websocket from '@fastify/websocket';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

import type { PushServer, RepoStore } from '@paas/git';
import type { LogRouter } from '@paas/logs';
import type { ProcessManager } from '@paas/runtime';
import type { Store } from '@paas/store';

import type { AddonBackups } from './addons/addon-backups.js';
import type { ReviewApps } from './deploy/review-apps.js';
import type { AddonService } from './addons/addon-service.js';
import { createAppAccess } from './access/app-access.js';
import type { TokenStreams } from './access/token-streams.js';
import { createAuthenticator } from './auth.js';
import type { Actor } from './auth.js';
import type { Config } from './config.js';
import type { BuildService } from './deploy/build-service.js';
import type { ReleaseDeployer } from './deploy/release-deployer.js';
import type { DiskCollector } from './disk/disk-collector.js';
import { registerGitRoutes } from './git-endpoint.js';
import type { PushRequests } from './git-endpoint.js';
import { installErrorHandlers } from './error-handler.js';
import type { Logger } from './logger.js';
import type { Rendezvous } from './rendezvous/rendezvous-server.js';
import { registerActivityRoutes } from './routes/activity.js';
import { registerAddonRoutes } from './routes/addons.js';
import type { AcmeService } from './acme/acme-service.js';
import { registerAppRoutes } from './routes/apps.js';
import { registerCertificateRoutes } from './routes/certificates.js';
import { registerBuildRoutes } from './routes/builds.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerDiskRoutes } from './routes/disk.js';
import { registerDomainRoutes } from './routes/domains.js';
import { registerDynoRoutes } from './routes/dynos.js';
import { registerDrainRoutes } from './routes/drains.js';
import { registerLogStreamRoute } from './routes/log-stream.js';
import { registerLogRoutes } from './routes/logs.js';
import type { LogSessions } from './logs/log-sessions.js';
import { registerBuildpackRoutes } from './routes/buildpacks.js';
import { registerConfigVarRoutes } from './routes/config-vars.js';
import type { RouteContext } from './routes/context.js';
import { registerHerokuCompatRoutes } from './routes/heroku-compat.js';
import { registerAuthorizationRoutes } from './routes/authorizations.js';
import { registerCollaboratorRoutes } from './routes/collaborators.js';
import { registerUserRoutes } from './routes/users.js';
import { registerFormationRoutes } from './routes/formation.js';
import { registerPipelinePromotionRoutes } from './routes/pipeline-promotions.js';
import { registerPipelineRoutes } from './routes/pipelines.js';
import { registerReviewAppRoutes } from './routes/review-apps.js';
import { registerReleaseRoutes } from './routes/releases.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import type { MetricsRecorder } from './metrics/metrics-recorder.js';
import type { ReleaseObserver } from './metrics/release-observer.js';

export interface ServerDeps {
  readonly config: Pick<Config, 'apiToken' | 'adminEmail' | 'domain' | 'routerPort' | 'apiTlsPort' | 'allowPrivateTargets' | 'dataDir'>;
  readonly store: Store;
  readonly logger: Logger;
  readonly repos: RepoStore;
  readonly builds: BuildService;
  readonly pushServer: PushServer;
  readonly pushRequests: PushRequests;
  readonly manager: ProcessManager;
  readonly deployer: ReleaseDeployer;
  readonly onRoutingChange: () => void;
  readonly routingApplied: () => Promise<void>;
  readonly logs: LogRouter;
  readonly logSessions: LogSessions;
  readonly syncDrains: (app: string) => Promise<void>;
  readonly disk: DiskCollector;
  readonly addons: AddonService;
  readonly backups: AddonBackups;
  /** Where `heroku run` attaches; absent, attached one-offs over it are refused. */
  readonly rendezvous?: Rendezvous;
  readonly acme: AcmeService;
  /** Apps made from branches of pipeline apps. */
  readonly reviewApps: ReviewApps;
  /** Per-minute metrics and the twelve-factor observations of releases. */
  readonly metrics: MetricsRecorder;
  readonly observer: ReleaseObserver;
  /** Open log streams and one-offs by token, ended when it is revoked or expires. */
  readonly tokenStreams: TokenStreams;
  /** Aborts when paasd stops, to end running git backends. */
  readonly shutdown: AbortSignal;
}

/** JSON bodies over this are refused with 413 before they are parsed. */
export const BODY_LIMIT = 1024 * 1024;

/** Builds the HTTP server without listening, so tests drive it with `inject()`. */
export function buildServer({ config, store, logger, repos, builds, pushServer, pushRequests, shutdown, manager, deployer, onRoutingChange, routingApplied, logs, logSessions, syncDrains, disk, addons, backups, rendezvous, acme, reviewApps, metrics, observer, tokenStreams }: ServerDeps): FastifyInstance {
  // Seen as Fastify's base logger type: pino's own type is wider and trips its generics.
  const baseLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance: baseLogger,
    bodyLimit: BODY_LIMIT,
    // One line per request, written when it is answered (below), rather than Fastify's two:
    // every line is a synchronous write to stdout on the path of the request.
    logController: new LogController({ disableRequestLogging: true }),
    // Unknown fields are refused rather than silently dropped, and types are not coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, allowUnionTypes: true } },
  });
  installErrorHandlers(app, { dataDir: config.dataDir });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { req: { method: request.method, url: request.url, remoteAddress: request.ip }, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  });
  registerDashboardRoutes(app);
  // The API speaks JSON only; anything else is a 415 rather than a string body.
  app.removeContentTypeParser('text/plain');

  app.get('/healthz', async () => ({ status: 'ok' }));

  const access = createAppAccess(store);
  const context: RouteContext = { store, access, tokenStreams, urls: { domain: config.domain, routerPort: config.routerPort, apiTlsPort: config.apiTlsPort }, repos, builds, manager, deployer, onRoutingChange, routingApplied, logs, logSessions, syncDrains, disk, addons, backups, reviewApps, targets: { allowPrivate: config.allowPrivateTargets }, ...(rendezvous ? { rendezvous } : {}), acme };
  const authenticator = createAuthenticator(store, config.apiToken, config.adminEmail);
  registerGitRoutes(app, { repos, authenticator, access, pushServer, pushRequests, logger, shutdown });
  void app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  // Outside the token check: a log session's id is its credential (browsers cannot set headers on websockets).
  void app.register(async (open) => registerLogStreamRoute(open, context));
  void app.register(async (api) => {
    // Set by the hook below before any handler runs.
    api.decorateRequest('actor', null as unknown as Actor);
    api.addHook('onRequest', async (request) => {
      request.actor = authenticator.authenticate(request.headers.authorization, request.ip);
      // The one access check: the token's scope, then the app (a route unknown is left to its 404).
      const route = request.routeOptions.url;
      if (route !== undefined) access.authorize(request.actor, request.method, route, request.params as Record<string, string | undefined>);
    });
    // A change is acknowledged only once it is on disk; concurrent changes share one fsync.
    api.addHook('onSend', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') await store.durable();
    });
    registerUserRoutes(api, context);
    registerAuthorizationRoutes(api, context);
    registerCollaboratorRoutes(api, context);
    registerAppRoutes(api, context);
    registerConfigVarRoutes(api, context);
    registerReleaseRoutes(api, context);
    registerFormationRoutes(api, context);
    registerBuildRoutes(api, context);
    registerBuildpackRoutes(api, context);
    registerDynoRoutes(api, context);
    registerDomainRoutes(api, context);
    registerCertificateRoutes(api, context);
    registerLogRoutes(api, context);
    registerActivityRoutes(api, context);
    registerDrainRoutes(api, context);
    registerDiskRoutes(api, context);
    registerAddonRoutes(api, context);
    registerHerokuCompatRoutes(api, context);
    registerPipelineRoutes(api, context);
    registerPipelinePromotionRoutes(api, context);
    registerReviewAppRoutes(api, context);
    registerMetricsRoutes(api, context, metrics, observer);
  });
  return app;
}
