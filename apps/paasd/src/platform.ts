import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';


import { createRuntimeLayerStore, createSlugStore } from '@paas/builder';
import { createRepoStore } from '@paas/git';
import type { PushServer, RepoStore } from '@paas/git';
import { createDrain, createLogRouter } from '@paas/logs';
import type { LogRouter } from '@paas/logs';
import { createProcessManager, findBubblewrap } from '@paas/runtime';
import type { ProcessManager } from '@paas/runtime';
import { createStore } from '@paas/store';
import type { Store } from '@paas/store';
import { DEFAULT_STACK_IMAGE, STACK } from '@paas/stack';
import { PROCESS_SIZES } from '@paas/core';
import type { AppUser, Sandbox } from '@paas/core';

import { createAddonBackups } from './addons/addon-backups.js';
import { createAddonService } from './addons/addon-service.js';
import type { AddonService } from './addons/addon-service.js';
import { createAddonProvider } from './addons/providers/provider-for.js';
import { ensureAppNetwork, joinAppNetwork } from './app-network.js';
import { createAcmeService } from './acme/acme-service.js';
import type { AcmeService } from './acme/acme-service.js';
import { loadPlatformCertificates } from './certs/platform-certificate.js';
import type { Config } from './config.js';
import { DATA_PLANES } from './data-plane.js';
import type { DataPlane } from './data-plane.js';
import { createAppUsers } from './app-users.js';
import { layOutDataDir } from './data-dir.js';
import { createAppLocks } from './deploy/app-locks.js';
import { buildEnvironmentFor } from './deploy/build-environment.js';
import { chooseEngine } from './docker-engine.js';
import { createBuildService } from './deploy/build-service.js';
import { desiredFromStore } from './deploy/desired-from-store.js';
import { createReleaseDeployer } from './deploy/release-deployer.js';
import { createReviewApps } from './deploy/review-apps.js';
import type { ReviewApps } from './deploy/review-apps.js';
import { createDiskCollector } from './disk/disk-collector.js';
import { sweepInterruptedWork } from './disk/interrupted-work.js';
import { createSlugImages } from './disk/slug-images.js';
import { createRouteSync } from './route-sync.js';
import { createRuntimeDriver, dockerInstanceOf, registryTlsOf, runtimeOf } from './runtime-driver.js';
import { startPushServer } from './git-endpoint.js';
import type { PushRequests } from './git-endpoint.js';
import type { Logger } from './logger.js';
import { describeApiEvent } from './logs/api-log-line.js';
import { createLogSessions } from './logs/log-sessions.js';
import { createMetricsRecorder } from './metrics/metrics-recorder.js';
import { createReleaseObserver } from './metrics/release-observer.js';
import { scanSlugArchive, scanSlugDir } from './metrics/slug-scan.js';
import { buildServer } from './server.js';
import { createTokenStreams } from './access/token-streams.js';
import { createRendezvous } from './rendezvous/rendezvous-server.js';
import type { Rendezvous } from './rendezvous/rendezvous-server.js';

export interface Platform {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly repos: RepoStore;
  readonly pushServer: PushServer;
  readonly engine: 'docker' | 'local';
  /** The router's data plane (PAAS_ROUTER), not yet serving: the caller calls `listen()`. */
  readonly router: DataPlane;
  readonly acme: AcmeService;
  /** Heroku's rendezvous for `heroku run`, not listening: the caller listens on PAAS_RENDEZVOUS_PORT. */
  readonly rendezvous: Rendezvous;
  readonly manager: ProcessManager;
  readonly logs: LogRouter;
  readonly addons: AddonService;
  readonly reviewApps: ReviewApps;
  /** Stops taking requests, ends running git backends, closes the database. */
  close(): Promise<void>;
}

/** The composition root: every package is made and wired here, and nowhere else. */
export async function createPlatform(config: Config, logger: Logger): Promise<Platform> {
  // The log router first: the store announces audit events into apps' streams as `paas[api]` lines.
  const targets = { allowPrivate: config.allowPrivateTargets };
  const logs = createLogRouter({ createDrain: (target, reports) => createDrain(target, reports, { targets }) });
  const platformLog = (app: string, process: string, line: string): void => logs.publish(app, { source: 'paas', process, line });
  const store = createStore({
    dataDir: config.dataDir,
    onEvent: (event) => {
      const line = event.appName === null ? undefined : describeApiEvent(event);
      if (event.appName !== null && line !== undefined) logs.publish(event.appName, { source: 'paas', process: 'api', line });
    },
  });
  const syncDrains = async (app: string): Promise<void> => {
    const record = store.apps.get(app);
    const drains = record ? store.drains.list(record.id) : [];
    await logs.setDrains(app, drains.map((drain) => ({ id: drain.id, app, url: drain.url, token: drain.token })));
  };
  // PAAS_API_TOKEN and tokens made before there were users act as the first admin.
  store.users.ensureFirstAdmin(config.adminEmail);
  const abandoned = store.builds.failAbandoned('The build was interrupted: paasd stopped while it ran. Push again.');
  if (abandoned > 0) logger.warn({ builds: abandoned }, 'abandoned builds failed');

  const repos = createRepoStore({ root: join(config.dataDir, 'repos') });
  for (const app of store.apps.list()) {
    await syncDrains(app.name);
    // Node may have moved since the hook was written; pushes cut off mid-build leave
    // quarantines, and none of them is still in use: no push runs before paasd listens.
    await repos.installHook(app.name).catch(() => repos.create(app.name));
    await repos.removeStaleQuarantines(app.name, 0);
  }
  const docker = await chooseEngine(config, logger);
  const runtime = runtimeOf(config.runtime, docker);
  // One installation per data dir: other paasd on the same engine keep their containers.
  const instance = dockerInstanceOf(config.dataDir);
  // Builds, unpacks and collections cut off by a crash left temp files and build containers.
  await sweepInterruptedWork({ dataDir: config.dataDir, docker, instance, logger: logger.child({ component: 'disk' }) });
  // App users and the sandbox contain host processes (and host builds); containers need neither.
  const containment = docker ? {} : await containLocalApps(config.dataDir, logger);
  // App and add-on containers share a network of the installation's own.
  const network = docker && runtime !== 'local' ? await ensureAppNetwork(docker, instance, runtime) : undefined;
  if (docker && network !== undefined && (await joinAppNetwork(docker, network))) logger.info({ network }, 'paasd runs in a container: joined the apps\' network');
  const slugs = createSlugStore({ root: join(config.dataDir, 'slugs') });
  // Runtimes (node, npm…) as layers shared by every slug built with the same one.
  const runtimeLayers = createRuntimeLayerStore({ root: join(config.dataDir, 'layers') });
  const registryTls = await registryTlsOf(config, runtime);
  const driver = createRuntimeDriver(runtime, { config, docker, logger: logger.child({ component: runtime }), containment, registryTls, ...(network === undefined ? {} : { network }) });
  const metricsLogger = logger.child({ component: 'metrics' });
  const releaseObserver = createReleaseObserver({
    store,
    logger: metricsLogger,
    bootTimeoutMs: config.bootTimeoutMs,
    graceMs: config.stopGraceMs,
    runStack: STACK,
    // Slugs are scanned where the local runtime keeps them unpacked, else from the stored archive.
    scanSlug: async (checksum) => {
      if (!/^[0-9a-f]{64}$/.test(checksum)) return undefined;
      const scanning = docker ? scanSlugArchive(slugs.path(checksum)) : scanSlugDir(join(config.dataDir, 'local', 'slugs-unpacked', checksum));
      return scanning.catch(() => undefined);
    },
  });
  const recorder = createMetricsRecorder({
    store,
    processes: () => driver.list(),
    ...(driver.usage ? { usage: driver.usage.bind(driver) } : {}),
    quotaMb: (app, type) => {
      const size = store.deploys.formation(app).find((f) => f.type === type)?.size;
      return size === undefined ? undefined : PROCESS_SIZES[size];
    },
    onWrites: (process, writes) => releaseObserver.writes(process, writes),
    logger: metricsLogger,
    sampleMs: config.metricsSampleMs,
  });
  const platformCertificates = await loadPlatformCertificates(config, store.apps.list().map((record) => record.name), logger.child({ component: 'tls' }));
  const router = await DATA_PLANES[config.routerPlane]({
    config,
    platformCertificate: platformCertificates.initial,
    onAccessLog: (app, line, entry) => {
      logs.publish(app, { source: 'paas', process: 'router', line });
      // The builtin router gives each request's fields; nginx's lines are not counted yet.
      if (entry) recorder.request(app, entry);
    },
    logger: logger.child({ component: 'router', plane: config.routerPlane }),
  });
  const routes = createRouteSync(store, router);
  const acme = createAcmeService({
    store,
    directory: config.acmeDirectory,
    email: config.acmeEmail,
    caFile: config.acmeCaFile,
    appLog: (app, line) => platformLog(app, 'acm', line),
    onCertificates: async () => {
      routes.refresh();
      await router.applied();
    },
    setChallenges: async (challenges) => {
      routes.setChallenges(challenges);
      await router.applied();
    },
    logger: logger.child({ component: 'acme' }),
  });
  const onRoutingChange = (): void => {
    routes.refresh();
    acme.kick();
    platformCertificates.coverApps(store.apps.list().map((record) => record.name), (certificate) => {
      router.setPlatformCertificate(certificate);
    });
  };
  const manager = createProcessManager({
    driver,
    desired: desiredFromStore(store, slugs, runtimeLayers),
    onRoutes: (app, backends, state) => routes.setRoutes(app, backends, state),
    onLog: (line) => logs.publish(line.app, line),
    onError: (error, context) => logger.error({ err: error, ...context }, 'convergence failed'),
    // Requests already sent to a replaced process finish before it gets SIGTERM.
    drain: (id) => router.drain(id, Math.min(config.stopGraceMs, 10_000)),
    bootTimeoutMs: config.bootTimeoutMs,
    graceMs: config.stopGraceMs,
    logger: logger.child({ component: 'processes' }),
    onProcessEvent: (event) => {
      recorder.processEvent(event);
      releaseObserver.processEvent(event);
    },
  });
  const deployer = createReleaseDeployer({ store, manager, logger: logger.child({ component: 'deploy' }), appLog: platformLog });
  const interrupted = store.deploys.settlePending();
  for (const { app, version } of interrupted.failed) logger.warn({ app, release: version }, 'release interrupted by a restart marked failed');
  routes.refresh();
  await manager.start();
  recorder.start();
  // Acknowledged config changes and rollbacks that had not gone live when paasd stopped.
  for (const { app, version } of interrupted.resume) {
    logger.info({ app, release: version }, 'release interrupted by a restart deployed again');
    void deployer.deploy(app, version);
  }
  // Backing services: servers started before the API listens, adopted when still running.
  const addonLogger = logger.child({ component: 'addons' });
  const provider = createAddonProvider({
    dataDir: config.dataDir,
    logger: addonLogger,
    postgresRoot: config.addonPostgresqlRoot,
    docker: docker && network ? { engine: docker, instance, network, stackImage: config.stackImage ?? DEFAULT_STACK_IMAGE, memoryMb: config.addonMemoryMb } : undefined,
    onServerExit: (id, detail) => {
      const addon = store.addons.get(id);
      const restart = detail.restartInMs === undefined ? 'the engine restarts it' : `restarting it in ${String(detail.restartInMs / 1000)} s`;
      const why = detail.reason === undefined ? '' : `: ${detail.reason}`;
      if (addon) platformLog(addon.appName, 'addons', `${addon.name}'s server exited (${detail.signal ?? `code ${String(detail.code)}`})${why}; ${restart}`);
    },
    onContainerRemade: (id) => {
      const addon = store.addons.get(id);
      if (addon) platformLog(addon.appName, 'addons', `${addon.name}'s container was removed outside paas; made again over its volume, with its data`);
    },
  });
  await provider.start();
  const addons = createAddonService({
    store,
    provider,
    deploy: (app, version) => deployer.deploy(app, version),
    logger: addonLogger,
    appLog: platformLog,
  });
  addons.start();
  const backups = createAddonBackups({ store, provider, dataDir: config.dataDir, logger: addonLogger, appLog: platformLog });
  backups.start();
  const disk = createDiskCollector({
    dataDir: config.dataDir,
    keepReleases: config.keepReleases,
    usage: store.slugUsage,
    slugs,
    layers: runtimeLayers,
    processes: () => driver.list(),
    images: docker ? createSlugImages(docker, config.stackImage ?? DEFAULT_STACK_IMAGE, runtime === 'swarm' ? config.swarm.registry : undefined) : undefined,
    slugCopies: driver.removeSlugCopies?.bind(driver),
    unpackedRoot: docker ? undefined : join(config.dataDir, 'local', 'slugs-unpacked'),
    unpackedLayersRoot: docker ? undefined : join(config.dataDir, 'local', 'layers-unpacked'),
    logger: logger.child({ component: 'disk' }),
  });
  const seedUnpacked = driver.seedUnpacked?.bind(driver);
  const seedUnpackedLayer = driver.seedUnpackedLayer?.bind(driver);
  const builds = createBuildService({
    store,
    slugs,
    runtimeLayers,
    locks: createAppLocks(),
    deployer,
    appLog: platformLog,
    logger: logger.child({ component: 'builder' }),
    dataDir: config.dataDir,
    urls: { domain: config.domain, routerPort: config.routerPort },
    environment: buildEnvironmentFor({ docker, stackImage: config.stackImage, workDir: join(config.dataDir, 'tmp'), instance, logger, ...containment }),
    timeoutMs: config.buildTimeoutMs,
    targets,
    ...(seedUnpacked ? { seedUnpacked } : {}),
    ...(seedUnpackedLayer ? { seedUnpackedLayer } : {}),
    runOneOff: (app, command, io) => manager.runOneOff(app, command, io),
  });
  const reviewApps = createReviewApps({
    store,
    repos,
    manager,
    logs,
    disk,
    addons,
    builds,
    onRoutingChange: routes.refresh,
    runOneOff: (app, command, io) => manager.runOneOff(app, command, io),
    logger: logger.child({ component: 'review-apps' }),
  });
  reviewApps.start(config.gcIntervalMs);
  const pushRequests: PushRequests = new Map();
  const pushServer = await startPushServer({
    requests: pushRequests,
    socketPath: join(config.dataDir, 'run', 'push.sock'),
    repos,
    builds,
    reviewApps,
    logger: logger.child({ component: 'git' }),
  });
  const shutdown = new AbortController();
  const rendezvous = createRendezvous({ dataDir: config.dataDir, logger: logger.child({ component: 'rendezvous' }) });
  const app = buildServer({
    rendezvous,
    config,
    store,
    logger,
    repos,
    builds,
    pushServer,
    pushRequests,
    shutdown: shutdown.signal,
    manager,
    deployer,
    onRoutingChange,
    routingApplied: () => router.applied(),
    logs,
    logSessions: createLogSessions(),
    tokenStreams: createTokenStreams(),
    syncDrains,
    disk,
    addons,
    backups,
    acme,
    reviewApps,
    metrics: recorder,
    observer: releaseObserver,
  });
  // In the background: at start, then every PAAS_GC_INTERVAL.
  disk.start(config.gcIntervalMs);
  // Orders due since the last start (new domains, renewals) begin once the router can answer challenges.
  acme.kick();
  return {
    app,
    store,
    repos,
    pushServer,
    engine: docker ? 'docker' : 'local',
    router,
    acme,
    rendezvous,
    manager,
    logs,
    addons,
    reviewApps,
    async close() {
      shutdown.abort();
      reviewApps.close();
      await app.close();
      await rendezvous.close();
      await acme.close();
      await router.close();
      await platformCertificates.close();
      await pushServer.close();
      // Processes keep running: the next paasd adopts them.
      await manager.close();
      await recorder.close();
      await disk.close();
      addons.close();
      await backups.close();
      // Add-on servers keep running: the next paasd adopts them.
      await provider.close();
      await logs.close();
      store.close();
    },
  };
}

/**
 * How app code is contained on the local runtime (see docs/ARCHITECTURE.md): as root, each
 * app's processes and builds run as its own user, in a bubblewrap sandbox where it runs.
 * As anyone else, as paasd's own user: said once, here.
 */
async function containLocalApps(dataDir: string, logger: Logger): Promise<{ userOf?: (app: string) => AppUser; sandbox?: Sandbox }> {
  if (process.getuid?.() !== 0) {
    logger.warn('local runtime processes and builds run as the paasd user and can read its data: use Docker for untrusted code');
    await layOutDataDir(dataDir, false);
    return {};
  }
  const bwrap = findBubblewrap();
  const users = createAppUsers(dataDir);
  const userOf = (app: string): AppUser => users.userOf(app);
  await layOutDataDir(dataDir, bwrap === undefined);
  if (!bwrap) {
    logger.warn('bubblewrap not found: local apps run as their own users without a sandbox, and see the host as those users do (install bubblewrap)');
    return { userOf };
  }
  logger.info({ bwrap }, 'local apps run as their own users in bubblewrap sandboxes');
  return { userOf, sandbox: { bwrap, hidden: [dataDir] } };
}
