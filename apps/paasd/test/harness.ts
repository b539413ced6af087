import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { TestContext } from 'node:test';


import Docker from 'dockerode';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

import { unmountUnder } from '@paas/runtime';
import { killLeftoverProcesses } from '@paas/runtime/testing';
import type { Store } from '@paas/store';

import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createPlatform } from '../src/platform.js';
import type { Platform } from '../src/platform.js';
import { instanceOf, removeContainers } from './paasd-child.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface Harness {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly dataDir: string;
  readonly platform: Platform;
  /** Everything the server logged, for checks that secrets stay out. */
  logs(): string;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** A request with a JSON body. */
  send(method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /**
   * Closes the platform as a stopping paasd does (its processes go on running), so another
   * paasd can take over the data dir; the data dir is still removed after the test.
   */
  close(): Promise<void>;
}

/** A real server on a real SQLite file in a temp dir, driven with inject(). */
export async function startHarness(t: TestContext, env: Record<string, string> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'paasd-test-'));
  const sink = new PassThrough();
  let logged = '';
  sink.on('data', (chunk: Buffer) => {
    logged += chunk.toString('utf8');
  });
  const config = loadConfig({ PAAS_DATA_DIR: dir, PAAS_API_TOKEN: TOKEN, PAAS_DOMAIN: 'example.test', PAAS_RUNTIME: 'local', PAAS_ALLOW_PRIVATE_TARGETS: '1', ...env });
  const platform = await createPlatform(config, createLogger('debug', sink));
  const { app, store } = platform;
  await app.ready();
  let closed = false;
  t.after(async () => {
    if (!closed) {
      // paasd leaves processes running for the next paasd to adopt; a test must not.
      for (const record of store.apps.list()) await platform.manager.removeApp(record.name);
      await platform.addons.provider.stopAll();
      await platform.close();
    }
    // Removing an app while the process manager still ran could see its container
    // started again; with the platform closed, nothing can: remove what is left.
    if (config.runtime === 'docker' || config.runtime === 'swarm') await removeContainers(instanceOf(dir));
    // The same for the local runtime: a process the periodic converge started again after its
    // app's removal (the store still wants it) is left for the next paasd, and there is none.
    else await killLeftoverProcesses(dir);
    // A process app dir still mounted (a process that outlived its test) would make the delete fail.
    await unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  const request = (options: InjectOptions) =>
    app.inject({ ...options, headers: { authorization: `Bearer ${TOKEN}`, ...options.headers } });
  return {
    app,
    store,
    dataDir: dir,
    platform,
    logs: () => logged,
    request,
    async close() {
      closed = true;
      await platform.close();
    },
    send: (method, url, body) =>
      request({
        method,
        url,
        ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      }),
  };
}

/** Seeds a built slug and its release, as a push will. */
export function deploySlug(store: Store, app: string, processTypes: Record<string, string>): string {
  const slug = store.slugs.create({
    appId: store.apps.require(app).id,
    checksum: 'a'.repeat(64),
    processTypes,
    buildpacks: ['nodejs'],
    commit: '1a2b3c4d5e6f',
    size: 1000,
    stack: 'paas-24',
  });
  store.deploys.createRelease(app, { slugId: slug.id, description: 'Deploy 1a2b3c4', actor: 'admin', status: 'succeeded' });
  return slug.id;
}

/**
 * Why Docker tests cannot run here, or undefined when they can. With CI set an engine
 * must answer: CI installs and starts one.
 */
export async function dockerUnavailable(): Promise<string | undefined> {
  try {
    await new Docker().ping();
    return undefined;
  } catch (error) {
    if (process.env.CI) throw new Error(`CI is set but no Docker engine answers: ${String(error)}`);
    return `no Docker engine reachable (${(error as Error).message}); CI runs this test`;
  }
}

/**
 * Why Swarm tests cannot run here: an engine in no swarm is made the manager of a one-node
 * swarm on loopback (as in CI), and stays one. A worker engine cannot create services:
 * skipped, except in CI.
 */
export async function swarmForTest(): Promise<{ skip: string } | { leave: () => Promise<void> }> {
  const reason = await dockerUnavailable();
  if (reason) return { skip: reason };
  const docker = new Docker();
  const swarm = ((await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }).Swarm;
  if (swarm?.LocalNodeState === 'active') {
    if (swarm.ControlAvailable) return { leave: async () => undefined };
    if (process.env.CI) throw new Error('CI is set but the engine is a swarm worker, which cannot create services');
    return { skip: 'the engine is a swarm worker, which cannot create services; run the test on a manager' };
  }
  await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' }).catch((error: unknown) => {
    // 503 "already part of a swarm": another test made it meanwhile.
    if ((error as { statusCode?: number }).statusCode !== 503) throw error;
  });
  return {
    // Not left after the test: test files run side by side, and leaving while another one is
    // between services (a one-off on the overlay) removed its network under it.
    leave: async () => undefined,
  };
}
