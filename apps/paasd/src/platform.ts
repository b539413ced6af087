import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { createSlugStore } from '@paas/builder';
import { createRepoStore } from '@paas/git';
import type { PushServer, RepoStore } from '@paas/git';
import { createStore } from '@paas/store';
import type { Store } from '@paas/store';

import type { Config } from './config.js';
import { createAppLocks } from './deploy/app-locks.js';
import { buildEnvironmentFor, chooseEngine } from './deploy/build-environment.js';
import { createBuildService } from './deploy/build-service.js';
import { startPushServer } from './git-endpoint.js';
import type { PushRequests } from './git-endpoint.js';
import type { Logger } from './logger.js';
import { buildServer } from './server.js';

export interface Platform {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly repos: RepoStore;
  readonly pushServer: PushServer;
  readonly engine: 'docker' | 'local';
  /** Stops taking requests, ends running git backends, closes the database. */
  close(): Promise<void>;
}

/** The composition root: every package is made and wired here, and nowhere else. */
export async function createPlatform(config: Config, logger: Logger): Promise<Platform> {
  const store = createStore({ dataDir: config.dataDir });
  const abandoned = store.builds.failAbandoned('The build was interrupted: paasd stopped while it ran. Push again.');
  if (abandoned > 0) logger.warn({ builds: abandoned }, 'abandoned builds failed');

  const repos = createRepoStore({ root: join(config.dataDir, 'repos') });
  for (const app of store.apps.list()) {
    // Node may have moved since the hook was written; pushes cut off mid-build leave quarantines.
    await repos.installHook(app.name).catch(() => repos.create(app.name));
    await repos.removeStaleQuarantines(app.name);
  }
  const docker = await chooseEngine(config, logger);
  const builds = createBuildService({
    store,
    slugs: createSlugStore({ root: join(config.dataDir, 'slugs') }),
    locks: createAppLocks(),
    logger: logger.child({ component: 'builder' }),
    dataDir: config.dataDir,
    urls: { domain: config.domain, routerPort: config.routerPort },
    environment: buildEnvironmentFor({ docker, stackImage: config.stackImage, workDir: join(config.dataDir, 'tmp'), logger }),
  });
  const pushRequests: PushRequests = new Map();
  const pushServer = await startPushServer({
    requests: pushRequests,
    socketPath: join(config.dataDir, 'run', 'push.sock'),
    repos,
    builds,
    logger: logger.child({ component: 'git' }),
  });
  const shutdown = new AbortController();
  const app = buildServer({ config, store, logger, repos, builds, pushServer, pushRequests, shutdown: shutdown.signal });
  return {
    app,
    store,
    repos,
    pushServer,
    engine: docker ? 'docker' : 'local',
    async close() {
      shutdown.abort();
      await app.close();
      await pushServer.close();
      store.close();
    },
  };
}
