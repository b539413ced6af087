/**
 * Add-ons from the CLI against a real paasd (PAAS_RUNTIME=local): create, list, pg:psql,
 * pg:info, backups (capture, list, download, schedule), redis, attach to another app, and
 * the confirmations destroying asks for. No app code is deployed: attaching to an app
 * without code is a release that succeeds at once.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { AddonResource } from '@paas/core';

import { paasdMissingReason, startPaasd } from './paasd-process.js';
import type { RunningPaasd } from './paasd-process.js';
import { runPaas } from './run-paas.js';
import type { PaasRun } from './run-paas.js';

const POSTGRES = existsSync('/usr/lib/postgresql') && existsSync('/usr/bin/redis-server') && existsSync('/usr/bin/psql');
const missing = paasdMissingReason() ?? (POSTGRES ? undefined : 'postgresql and redis-server are not installed (apt-get install postgresql redis-server libnss-wrapper)');
const skip = missing !== undefined && !process.env.CI ? missing : false;

function assertOk(run: PaasRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
}

describe('paas addons, pg and redis against a real paasd', { skip }, () => {
  let paasd: RunningPaasd;
  let root: string;
  let env: NodeJS.ProcessEnv;
  const paas = (args: string[], timeoutMs = 120_000): Promise<PaasRun> => runPaas(args, { cwd: root, env, timeoutMs });

  before(async () => {
    paasd = await startPaasd({ env: { PAAS_RUNTIME: 'local' } });
    root = await mkdtemp(join(tmpdir(), 'paas-cli-addons-'));
    env = { HOME: root, PAAS_API_URL: paasd.url, PAAS_API_TOKEN: paasd.token };
    assertOk(await paas(['apps:create', 'shop']), 'apps:create shop');
    assertOk(await paas(['apps:create', 'books']), 'apps:create books');
  });
  after(async () => {
    // Add-ons outlive paasd like app processes: destroy what the tests left.
    if (paasd) for (const app of ['shop', 'books']) await paas(['apps:destroy', app, '--confirm', app]);
    await paasd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('creates, lists, queries, backs up, attaches and destroys add-ons, asking before anything is lost', async () => {
    const created = await paas(['addons:create', 'postgresql', '--wait', '-a', 'shop', '--json']);
    assertOk(created, 'addons:create postgresql');
    assert.match(created.stderr, /Waiting for postgresql-[a-z0-9-]+\.\.\. done, attached as DATABASE_URL/);
    const pg = JSON.parse(created.stdout) as AddonResource;
    const listed = await paas(['addons', '-a', 'shop']);
    assertOk(listed, 'addons');
    assert.match(listed.stdout, new RegExp(`${pg.name}\\s+postgresql:local\\s+shop\\s+DATABASE_URL\\s+provisioned`));

    assertOk(await paas(['pg:psql', '-a', 'shop', '-c', 'CREATE TABLE items (n int); INSERT INTO items VALUES (1), (2), (3)']), 'pg:psql');
    const info = await paas(['pg:info', '-a', 'shop']);
    assertOk(info, 'pg:info');
    assert.match(info.stdout, /Version:\s+1\d\./);
    assert.match(info.stdout, /Tables:\s+1/);

    const capture = await paas(['pg:backups:capture', '-a', 'shop']);
    assertOk(capture, 'pg:backups:capture');
    assert.match(capture.stderr, /to b001\.\.\. done, verified: 1 tables, 3 rows/);
    assertOk(await paas(['pg:backups:schedule', '--at', '02:00 UTC', '-a', 'shop']), 'pg:backups:schedule');
    const backups = await paas(['pg:backups', '-a', 'shop']);
    assert.match(backups.stdout, /b001 .*verified: 1 tables, 3 rows .*manual/);
    assert.match(backups.stdout, /Scheduled daily at 02:00 UTC, keeping 7\./);
    assertOk(await paas(['pg:backups:download', '-a', 'shop', '-o', 'shop.dump']), 'pg:backups:download');
    assert.equal((await readFile(join(root, 'shop.dump'))).subarray(0, 5).toString(), 'PGDMP');

    const cache = JSON.parse((await paas(['addons:create', 'redis', '--as', 'cache', '--wait', '-a', 'shop', '--json'])).stdout) as AddonResource;
    assert.deepEqual(cache.config_vars, ['CACHE_URL']);
    assertOk(await paas(['redis:cli', '-a', 'shop', '-c', 'SET greeting hello']), 'redis:cli');
    const redisInfo = await paas(['redis:info', '-a', 'shop']);
    assert.match(redisInfo.stdout, /Version:\s+7\./);
    assert.match(redisInfo.stdout, /Keys:\s+1/);

    const attached = await paas(['addons:attach', pg.name, '--as', 'SHOP_DB', '-a', 'books']);
    assertOk(attached, 'addons:attach');
    assert.match(attached.stderr, /done, as SHOP_DB_URL/);
    assertOk(await paas(['pg:psql', 'SHOP_DB', '-a', 'books', '-c', 'SELECT count(*) FROM items']), 'pg:psql from the other app');

    const refused = await paas(['addons:destroy', cache.name]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`pass --confirm ${cache.name}`));
    assertOk(await paas(['addons:destroy', cache.name, '--confirm', cache.name]), 'addons:destroy');

    assert.equal((await paas(['apps:destroy', 'shop'])).code, 2);
    const destroyed = await paas(['apps:destroy', 'shop', '--confirm', 'shop']);
    assertOk(destroyed, 'apps:destroy');
    assert.match(destroyed.stderr, new RegExp(`its add-ons ${pg.name} with their data \\(books loses SHOP_DB_URL\\)`));
    const left = await paas(['config', '-a', 'books', '--json']);
    assert.equal((JSON.parse(left.stdout) as Record<string, string>).SHOP_DB_URL, undefined);
  });
});
