import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

import { watchIdleHeap } from '@paas/core/idle-heap';

import { listenApiTls } from './api-tls.js';
import type { ApiTlsListener } from './api-tls.js';
import { ensureApiToken } from './bootstrap-token.js';
import { ConfigError, loadConfig } from './config.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { removeOwnPidFile, writePidFile } from './pid-file.js';
import { createPlatform } from './platform.js';

/** How long a graceful stop may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function readConfig(): Config {
  // A .env file is for development; real deployments set the environment.
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`paasd: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const configured = readConfig();
  // Port 0 means "any free port"; apps' URLs must name the real one, so pick it first.
  const config = Object.freeze({
    ...configured,
    routerPort: configured.routerPort === 0 ? await freePort(configured.host) : configured.routerPort,
    routerTlsPort: configured.routerTlsPort === 0 ? await freePort(configured.host) : configured.routerTlsPort,
    apiTlsPort: configured.apiTlsPort === 0 ? await freePort(configured.host) : configured.apiTlsPort,
  });
  const logger = createLogger(config.logLevel);
  const platform = await createPlatform(config, logger);
  const { app, store } = platform;
  await app.listen({ port: config.port, host: config.apiHttpHost });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, host: config.apiHttpHost, dataDir: config.dataDir, engine: platform.engine }, 'api listening');
  const routerPorts = await platform.router.listen();
  logger.info({ port: routerPorts.port, tlsPort: routerPorts.tlsPort, domain: config.domain, plane: config.routerPlane }, 'router listening');
  // Its certificate names the hosts `heroku run` may reach it by; clients trust the platform CA.
  const rendezvous = await platform.rendezvous.listen(config.rendezvousPort, config.host, [config.domain, config.host].filter((name) => name !== '0.0.0.0' && name !== '::'));
  logger.info({ port: rendezvous.port, caFile: rendezvous.caFile }, 'rendezvous listening');
  // After the rendezvous: both have the platform CA issue a server certificate, one at a time.
  let apiTls: ApiTlsListener | undefined;
  if (config.apiTlsPort !== undefined) {
    apiTls = await listenApiTls(app, config, config.apiTlsPort);
    logger.info({ port: apiTls.port, host: config.host, caFile: apiTls.caFile }, 'api tls listening');
  }
  ensureApiToken(store, config.apiToken, config.adminEmail, logger, apiTls ? `https://localhost:${String(apiTls.port)}` : `http://localhost:${String(port)}`);
  // For `npm stop`; removed again on a clean exit.
  writePidFile(config.dataDir, platform.engine);
  // Start and every burst of API work leave garbage V8 keeps for half a minute; give it back once quiet.
  const idleHeap = watchIdleHeap({
    onCollected: ({ beforeBytes, afterBytes, ms }) => {
      logger.debug({ beforeMb: +(beforeBytes / 2 ** 20).toFixed(1), afterMb: +(afterBytes / 2 ** 20).toFixed(1), ms: Math.round(ms) }, 'idle heap collected');
    },
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    idleHeap.stop();
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      removeOwnPidFile(config.dataDir);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    Promise.resolve(apiTls?.close())
      .then(() => platform.close())
      .then(() => logger.info('stopped'))
      .finally(() => removeOwnPidFile(config.dataDir))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`paasd: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
