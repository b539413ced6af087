import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { AddonResource } from '@paas/core';

import { findPostgresBin } from '../src/addons/providers/local/postgres-engine.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createPlatform } from '../src/platform.js';
import type { Platform } from '../src/platform.js';
import { psqlWith, redisWith } from './addon-provider-contract.js';
import { TOKEN } from './harness.js';

/** A paasd on `dataDir`, driven with inject(); closing it leaves add-on servers running, as a real stop does. */
async function startPaasd(dataDir: string): Promise<Platform> {
  const config = loadConfig({ PAAS_DATA_DIR: dataDir, PAAS_API_TOKEN: TOKEN, PAAS_DOMAIN: 'example.test', PAAS_RUNTIME: 'local' });
  const platform = await createPlatform(config, createLogger('warn', new PassThrough()));
  await platform.app.ready();
  return platform;
}

const call = async (platform: Platform, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
  const response = await platform.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, json: <T>() => response.json<T>() };
};

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const alive = (pid: number): boolean => existsSync(`/proc/${String(pid)}`);

test('add-on data survives paasd restarts: a running server is adopted, a stopped one started again on the same data; the disk collector leaves it alone', { timeout: 180_000 }, async (t) => {
  if (!findPostgresBin()) return t.skip('postgresql is not installed (apt-get install postgresql redis-server)');
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-addons-restart-'));
  let platform = await startPaasd(dataDir);
  t.after(async () => {
    await platform.addons.provider.stopAll();
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  assert.equal((await call(platform, 'POST', '/apps', { name: 'keeper' })).status, 201);
  const addons: AddonResource[] = [];
  for (const plan of ['postgresql', 'redis']) {
    const created = await call(platform, 'POST', '/apps/keeper/addons', { plan });
    assert.equal(created.status, 201);
    addons.push(created.json<AddonResource>());
  }
  await until('both add-ons attached', async () => {
    const vars = (await call(platform, 'GET', '/apps/keeper/config-vars')).json<Record<string, string>>();
    return vars.DATABASE_URL !== undefined && vars.REDIS_URL !== undefined;
  });
  const vars = (await call(platform, 'GET', '/apps/keeper/config-vars')).json<Record<string, string>>();
  // A second database would replace DATABASE_URL: refused, saying to name it.
  const second = await call(platform, 'POST', '/apps/keeper/addons', { plan: 'postgresql' });
  assert.equal(second.status, 409);
  assert.match(second.json<{ message: string }>().message, /already has a DATABASE_URL config var: attach under another name \(--as NAME\)/);
  const database = vars.DATABASE_URL ?? '';
  const cache = vars.REDIS_URL ?? '';
  assert.equal(psqlWith(database, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1), (2), (3);").ok, true);
  assert.equal(redisWith(cache, 'SET', 'kept', 'yes').ok, true);
  const pidOf = (addon: AddonResource): number => Number(readFileSync(join(dataDir, 'addons', addon.id, 'server.pid'), 'utf8'));
  const [pg, redis] = addons as [AddonResource, AddonResource];
  const pids = [pidOf(pg), pidOf(redis)];

  // The servers run as their own users, on loopback.
  const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${String(pids[0])}/status`, 'utf8'))?.[1]);
  if (process.getuid?.() === 0) assert.ok(uid >= 300_000 && uid < 400_000, `postgres runs as uid ${String(uid)}`);
  assert.match(database, /@127\.0\.0\.1:\d+\//);

  // paasd stops and starts again: the running servers are adopted, not restarted.
  await platform.close();
  assert.ok(pids.every(alive), 'add-on servers outlive paasd');
  platform = await startPaasd(dataDir);
  assert.deepEqual([pidOf(pg), pidOf(redis)], pids);
  assert.equal(psqlWith(database, 'SELECT sum(n) FROM kept;').out, '6');

  // The disk collector never touches add-on data.
  assert.equal((await call(platform, 'POST', '/disk/collect')).status, 200);
  assert.equal(psqlWith(database, 'SELECT count(*) FROM kept;').out, '3');

  // The host went down meanwhile (servers stopped with paasd): the next paasd starts them on the same data.
  await platform.close();
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  await until('servers stopped', () => !pids.some(alive));
  platform = await startPaasd(dataDir);
  await until('servers started again', () => psqlWith(database, 'SELECT sum(n) FROM kept;').out === '6' && redisWith(cache, 'GET', 'kept').out === 'yes');
  const restarted = [pidOf(pg), pidOf(redis)];
  assert.notDeepEqual(restarted, pids);

  // `npm stop -- --all` stops them too (with paasd gone); the data stays for the next start.
  await platform.close();
  const stop = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'src', 'stop-command.js'), '--all'], {
    env: { PATH: process.env.PATH ?? '', PAAS_DATA_DIR: dataDir, PAAS_RUNTIME: 'local' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, /Add-on servers are stopped; their data stays\./);
  // This process started them (paasd ran in it): it reaps them once its event loop runs again.
  await until('add-on servers stopped', () => !restarted.some(alive), 10_000);
  platform = await startPaasd(dataDir);
  await until('servers started after npm stop', () => psqlWith(database, 'SELECT sum(n) FROM kept;').out === '6');
});
