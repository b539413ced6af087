import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import Docker from 'dockerode';

import { unmountUnder } from '@paas/runtime';

import { httpGet } from './http-get.js';

const PAASD_BIN = join(import.meta.dirname, '..', '..', 'bin', 'paasd.js');
const START_TIMEOUT_MS = 30_000;

/** One run of paasd as its own process: kill it with SIGKILL and start another on the same data dir. */
export interface PaasdChild {
  readonly child: ChildProcess;
  readonly api: string;
  readonly routerPort: number;
  /** Everything it printed on stdout (pino's JSON lines), for failure messages. */
  readonly output: () => string;
  /** kill -9, resolved once it has exited. */
  kill(): Promise<void>;
}

export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

function parseLine(line: string): { msg?: unknown; port?: unknown } | undefined {
  try {
    return JSON.parse(line) as { msg?: unknown; port?: unknown };
  } catch {
    return undefined; // not a JSON log line: nothing to learn from it
  }
}

/** paasd on `dataDir`, resolved once both the API and the router listen. */
export async function launchPaasd(dataDir: string, token: string, env: Readonly<Record<string, string>> = {}): Promise<PaasdChild> {
  // The launcher as a program, as every start does; its `env -S node` finds this node first.
  const child = spawn(PAASD_BIN, [], {
    cwd: dataDir,
    env: { PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter), ...env, HOST: '127.0.0.1', PORT: '0', PAAS_ROUTER_PORT: '0', PAAS_RENDEZVOUS_PORT: '0', PAAS_ROUTER_TLS_PORT: '0', PAAS_DATA_DIR: dataDir, PAAS_API_TOKEN: token, PAAS_DOMAIN: 'example.test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ports = await new Promise<{ api: number; router: number }>((resolve, reject) => {
    let api: number | undefined;
    const timer = setTimeout(() => reject(new Error(`paasd did not listen within ${String(START_TIMEOUT_MS)} ms\n${output}`)), START_TIMEOUT_MS);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`paasd exited (${String(code)})\n${output}`));
    };
    child.once('exit', onExit);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`;
      const entry = parseLine(line);
      if (entry?.msg === 'api listening' && typeof entry.port === 'number') api = entry.port;
      if (entry?.msg !== 'router listening' || typeof entry.port !== 'number' || api === undefined) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      resolve({ api, router: entry.port });
    });
  });
  return {
    child,
    api: `http://127.0.0.1:${String(ports.api)}`,
    routerPort: ports.router,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/**
 * A data dir and a token that outlive any one paasd, with what a test needs to drive it.
 * At the end, even after a failure, the apps are destroyed by a paasd on the data dir
 * (their processes outlive paasd by design), every paasd is stopped, the data dir's
 * containers are removed, and the data dir goes.
 */
export interface Site {
  readonly dataDir: string;
  readonly token: string;
  /** The paasd started last. */
  readonly paasd: () => PaasdChild;
  start(): Promise<PaasdChild>;
  call(method: string, path: string, body?: unknown): Promise<Response>;
  json<T>(path: string): Promise<T>;
  get(app: string, path?: string): Promise<{ status: number; body: string }>;
  until(what: string | (() => string), check: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void>;
}

export function createSite(t: TestContext, env: Readonly<Record<string, string>>): Site {
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-faults-'));
  const token = randomBytes(24).toString('hex');
  const children: PaasdChild[] = [];
  const current = (): PaasdChild => {
    const last = children.at(-1);
    assert.ok(last, 'no paasd was started');
    return last;
  };
  const call = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${current().api}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
  const site: Site = {
    dataDir,
    token,
    paasd: current,
    async start() {
      const started = await launchPaasd(dataDir, token, env);
      children.push(started);
      return started;
    },
    call,
    async json<T>(path: string) {
      const response = await call('GET', path);
      assert.equal(response.status, 200, `GET ${path}`);
      return (await response.json()) as T;
    },
    get: (app, path = '/') => httpGet(current().routerPort, path, `${app}.example.test`),
    async until(what, check, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await Promise.resolve().then(check).catch(() => false)) return;
        await sleep(100);
      }
      assert.fail(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    },
  };
  t.after(async () => {
    try {
      const live = children.at(-1);
      if (!live || live.child.exitCode !== null || live.child.signalCode !== null) await site.start();
      const apps = (await site.json<{ name: string }[]>('/apps')).map((app) => app.name);
      // Confirmed: an app's own add-ons go with it.
      for (const app of apps) await call('DELETE', `/apps/${encodeURIComponent(app)}?confirm=${encodeURIComponent(app)}`);
    } finally {
      for (const child of children) await child.kill();
      if (env.PAAS_RUNTIME === 'docker' || env.PAAS_RUNTIME === 'swarm') await removeContainers(instanceOf(dataDir));
      await unmountUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
  return site;
}

/** The `paas.instance` label paasd puts on every container it makes for this data dir. */
export const instanceOf = (dataDir: string): string => createHash('sha256').update(dataDir).digest('hex').slice(0, 16);

/** Removes every container, running or not, that paasd made for this instance. */
export async function removeContainers(instance: string): Promise<void> {
  const docker = new Docker();
  const found = await docker.listContainers({ all: true, filters: { label: [`paas.instance=${instance}`] } });
  // A container or volume the platform was still removing may be gone between the listing and its removal
  // (404), or still on its way out (409: a Swarm service's task container while the service goes).
  const unlessGone = (error: unknown): void => {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw error;
  };
  for (const info of found) await docker.getContainer(info.Id).remove({ force: true }).catch(unlessGone);
  // Add-on volumes and the installation's network (a failed test can leave them).
  for (const volume of (await docker.listVolumes({ filters: { label: [`paas.instance=${instance}`] } })).Volumes) await docker.getVolume(volume.Name).remove().catch(unlessGone);
  await removeNetworks(docker, instance);
}

/**
 * Every network labelled with the instance: its bridge on Docker, its overlay on Swarm. Left
 * behind, each one holds an address pool, and an engine has about thirty: later runs could make
 * no network at all. An overlay is in use until removed services' tasks let go of it: a few tries;
 * one still in use after them is reported on stderr, not thrown (the test itself passed).
 */
export async function removeNetworks(docker: Docker, instance: string): Promise<void> {
  for (const network of await docker.listNetworks({ filters: { label: [`paas.instance=${instance}`] } })) {
    let last: unknown;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      last = await docker
        .getNetwork(network.Id)
        .remove()
        .then(() => undefined, (error: unknown) => ((error as { statusCode?: number }).statusCode === 404 ? undefined : error));
      if (last === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (last !== undefined) console.error(`network ${network.Name} of instance ${instance} was left: ${(last as Error).message}`);
  }
}
