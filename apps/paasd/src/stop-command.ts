// `npm stop [-- --all]`: stops the paasd of this data dir; with --all also every process
// it started (the local driver's process groups, or this installation's containers).
// Without --all the apps keep running and the next `npm start` adopts them.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import type { RuntimeDriver } from '@paas/runtime';
import { DEFAULT_STACK_IMAGE } from '@paas/stack';

import { loadConfig } from './config.js';
import type { Config } from './config.js';
import { chooseEngine } from './docker-engine.js';
import { createLogger } from './logger.js';
import { isPaasdRunning, readPidFile, removePidFile } from './pid-file.js';
import { createLocalProvider } from './addons/providers/local/local-provider.js';
import { createDockerProvider } from './addons/providers/docker/docker-provider.js';
import { appNetworkName } from './app-network.js';
import { createRuntimeDriver, dockerInstanceOf, registryTlsOf, runtimeOf } from './runtime-driver.js';

/** paasd gives itself 10 s to stop; a little more before it is killed. */
const PAASD_STOP_TIMEOUT_MS = 15_000;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function waitUntilGone(record: NonNullable<ReturnType<typeof readPidFile>>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (await isPaasdRunning(record)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGTERM to the paasd named by the pid file, SIGKILL if it has not exited in time. */
async function stopPaasd(dataDir: string): Promise<void> {
  const record = readPidFile(dataDir);
  if (!record || !(await isPaasdRunning(record))) {
    if (record) removePidFile(dataDir); // left by a paasd that did not exit cleanly
    say(`paasd is not running (data dir ${dataDir}).`);
    return;
  }
  process.kill(record.pid, 'SIGTERM');
  if (!(await waitUntilGone(record, PAASD_STOP_TIMEOUT_MS))) {
    process.kill(record.pid, 'SIGKILL');
    await waitUntilGone(record, 5_000);
    removePidFile(dataDir);
    say(`Stopped paasd (pid ${String(record.pid)}): it did not exit within ${String(PAASD_STOP_TIMEOUT_MS / 1000)} s and was killed.`);
    return;
  }
  say(`Stopped paasd (pid ${String(record.pid)}).`);
}

/** The drivers paasd may have started processes with: always the local one, and the configured one when it differs. */
async function driversOf(config: Config): Promise<RuntimeDriver[]> {
  const logger = createLogger('silent');
  const drivers = [createRuntimeDriver('local', { config, docker: undefined, logger })];
  // With PAAS_RUNTIME=auto and no engine, there are no containers to stop.
  const docker = await chooseEngine(config, logger);
  const runtime = runtimeOf(config.runtime, docker);
  if (runtime !== 'local') drivers.push(createRuntimeDriver(runtime, { config, docker, logger, registryTls: await registryTlsOf(config, runtime) }));
  return drivers;
}

/** Stops (SIGTERM, SIGKILL after PAAS_STOP_GRACE) and removes every process of the installation. */
async function stopApps(config: Config): Promise<void> {
  let count = 0;
  for (const driver of await driversOf(config)) {
    try {
      const processes = await driver.list();
      await Promise.all(
        processes.map(async (p) => {
          const { killed } = await driver.stop(p.id, { graceMs: config.stopGraceMs });
          count += 1;
          if (p.status === 'running') say(`Stopped ${p.name} of ${p.app}${killed ? ' (killed after the grace period)' : ''}.`);
        }),
      );
    } finally {
      await driver.close();
    }
  }
  say(count === 0 ? 'No app processes were running.' : 'Every app process is stopped; the next `npm start` starts them again.');
  // Add-on servers too; their data stays, and the next `npm start` starts them on it.
  await createLocalProvider({ dataDir: config.dataDir, logger: createLogger('silent'), postgresRoot: config.addonPostgresqlRoot }).stopAll();
  const docker = await chooseEngine(config, createLogger('silent'));
  if (docker) {
    const instance = dockerInstanceOf(config.dataDir);
    const network = appNetworkName(instance, runtimeOf(config.runtime, docker));
    await createDockerProvider({ docker, dataDir: config.dataDir, instance, network, stackImage: config.stackImage ?? DEFAULT_STACK_IMAGE, logger: createLogger('silent') }).stopAll();
  }
  say('Add-on servers are stopped; their data stays.');
}

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--all');
  if (unknown.length > 0) {
    process.stderr.write('usage: npm stop [-- --all]\n  --all  also stop every app process and add-on server paasd started\n');
    return 2;
  }
  // The same configuration `npm start` reads, .env included.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  // paasd first: it would otherwise start the app processes again.
  await stopPaasd(config.dataDir);
  if (argv.includes('--all')) await stopApps(config);
  else say('App processes keep running; the next `npm start` adopts them (`npm stop -- --all` stops them too).');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`stop: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
