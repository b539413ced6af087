import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { AddonBackupResource, AddonResource, ReleaseResource } from '@paas/core';

import { psqlWith } from './addon-provider-contract.js';
import { gitClient } from './git-client.js';
import { httpGet } from './http-get.js';
import { paasCli } from './paas-cli.js';
import type { Site } from './paasd-child.js';
import { createSite } from './paasd-child.js';
import { FIXTURES } from './platform-under-test.js';
import { createPostgresRoot, twoMajorsMissing } from './postgres-root.js';

const json = <T>(body: string): T => JSON.parse(body) as T;
const alive = (pid: number): boolean => existsSync(`/proc/${String(pid)}`);

/** The add-on's server binary, as the kernel started it. */
const serverBinary = (pid: number): string => readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0')[0] ?? '';

/**
 * The host goes down: paasd killed, then the add-on's server stopped (it outlives paasd by
 * design), so the next paasd starts it again from what the add-on records.
 */
async function hostDown(site: Site, pidFile: string): Promise<void> {
  await site.paasd().kill();
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (alive(pid)) process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (alive(pid)) {
    assert.ok(Date.now() < deadline, 'the add-on server did not stop');
    await sleep(50);
  }
}

test('a postgresql add-on keeps its major: a newer one installed changes nothing, a missing one leaves it stopped and untouched, pg:upgrade moves it by a verified snapshot with every URL unchanged', { timeout: 600_000 }, async (t) => {
  const missing = twoMajorsMissing();
  if (missing !== undefined && !process.env.CI) return t.skip(missing);
  const majors = createPostgresRoot();
  const site = createSite(t, { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '30', PAAS_STOP_GRACE: '2', PAAS_ADDON_POSTGRESQL_ROOT: majors.root });
  t.after(() => majors.remove());
  await site.start();
  const notes = async (): Promise<string[] | undefined> => {
    const answer = await site.get('notes', '/notes');
    return answer.status === 200 ? json<{ notes: string[] }>(answer.body).notes : undefined;
  };
  const addonNow = (id: string): Promise<AddonResource> => site.json<AddonResource>(`/addons/${id}`);

  // Made with only 15 installed: it is fixed to 15.
  assert.equal((await site.call('POST', '/apps', { name: 'notes' })).status, 201);
  const git = gitClient(t, site.token);
  const repo = await git.repo('notes', { dir: join(FIXTURES, 'node-addons') }, `${site.paasd().api}/notes.git`);
  const pushed = await git.run(repo, ['push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  const pg = (await (await site.call('POST', '/apps/notes/addons', { plan: 'postgresql' })).json()) as AddonResource;
  await site.until('the add-on attached and the app serving it', async () => {
    const now = await addonNow(pg.id);
    assert.notEqual(now.state, 'failed', now.state_reason ?? '');
    const newest = (await site.json<ReleaseResource[]>('/apps/notes/releases'))[0];
    return now.config_vars.length > 0 && newest?.current === true && (await notes())?.length === 0;
  }, 120_000);
  for (const body of ['first', 'second']) assert.equal((await httpGet(site.paasd().routerPort, `/notes?body=${body}`, 'notes.example.test', 'POST')).status, 201);
  const dir = join(site.dataDir, 'addons', pg.id);
  const pidFile = join(dir, 'server.pid');
  const recorded = (): unknown => (JSON.parse(readFileSync(join(dir, 'instance.json'), 'utf8')) as { postgresMajor?: unknown }).postgresMajor;
  assert.equal(recorded(), 15);
  assert.equal((await addonNow(pg.id)).version, '15');
  const url = (await site.json<Record<string, string>>('/apps/notes/config-vars')).DATABASE_URL ?? '';
  const releaseCount = (await site.json<ReleaseResource[]>('/apps/notes/releases')).length;

  // (a) 17 appears beside 15 (an OS upgrade); the host restarts: the add-on runs on 15 still, with its rows.
  majors.add17();
  await hostDown(site, pidFile);
  await site.start();
  await site.until('the app reading its rows after the restart', async () => (await notes())?.join(',') === 'first,second', 60_000);
  assert.equal(serverBinary(Number(readFileSync(pidFile, 'utf8'))), join(majors.root, '15', 'bin', 'postgres'));
  assert.match(psqlWith(url, 'SHOW server_version').out, /^15\./);

  // (b) 15's binaries go away: the server is not started, the reason says what to install, the data is untouched.
  await hostDown(site, pidFile);
  const dataBefore = readdirSync(join(dir, 'data')).sort();
  majors.remove15();
  await site.start();
  await site.until('the add-on reported as not running', async () => (await addonNow(pg.id)).state === 'failed', 30_000);
  const down = await addonNow(pg.id);
  assert.match(down.state_reason ?? '', /PostgreSQL 15 cluster .* is not installed \(installed: 17\): apt-get install postgresql-15, then restart paasd\. The server was not started; its data is untouched\./);
  assert.match(await (await site.call('GET', '/apps/notes/logs?lines=500')).text(), /server was not started: .*apt-get install postgresql-15/);
  assert.equal(readFileSync(join(dir, 'data', 'PG_VERSION'), 'utf8').trim(), '15');
  assert.deepEqual(readdirSync(join(dir, 'data')).sort(), dataBefore);
  assert.equal(alive(Number(readFileSync(pidFile, 'utf8'))), false, 'no server was started');
  majors.restore15();
  await site.paasd().kill();
  await site.start();
  await site.until('the add-on running again with its rows', async () => (await addonNow(pg.id)).state === 'provisioned' && (await notes())?.join(',') === 'first,second', 60_000);

  // (c) pg:upgrade through the CLI. Refusals first: each exits non-zero and changes nothing.
  const paas = paasCli(t, { api: () => site.paasd().api, token: site.token });
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const refusals: [string[], RegExp][] = [
    [['--version', '17'], /Upgrading .* cannot be undone, and there is no terminal to ask: pass --confirm notes\./],
    [['--version', '16', '--confirm', 'notes'], /PostgreSQL 16 is not installed on this host \(installed: 15, 17\): apt-get install postgresql-16 first\. Nothing was changed\./],
    [['--version', '15', '--confirm', 'notes'], /This add-on runs PostgreSQL 15: pg:upgrade moves to a newer major only \(given 15\)\. Nothing was changed\./],
  ];
  for (const [args, message] of refusals) {
    const run = await paas(['pg:upgrade', '-a', 'notes', ...args]);
    assert.notEqual(run.code, 0, `pg:upgrade ${args.join(' ')} went ahead`);
    assert.match(run.stderr, message);
  }
  assert.deepEqual(await site.json<AddonBackupResource[]>(`/addons/${pg.id}/backups`), []);
  assert.equal(Number(readFileSync(pidFile, 'utf8')), pid);
  assert.equal(recorded(), 15);

  // A step failing after the snapshot (N's initdb of a broken install): the error names the step, 15 runs on, unchanged and writable.
  majors.addBroken(18);
  const broken = await paas(['pg:upgrade', '-a', 'notes', '--version', '18', '--confirm', 'notes']);
  assert.notEqual(broken.code, 0);
  assert.match(broken.stderr, /Upgrading to PostgreSQL 18 failed while making the new cluster \(postgresql-18's initdb\): .*cannot run: broken install.*PostgreSQL 15 runs on with the data unchanged\./s);
  majors.removeMajor(18);
  assert.equal(Number(readFileSync(pidFile, 'utf8')), pid);
  assert.equal(recorded(), 15);
  assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('data')), ['data']);
  assert.equal(psqlWith(url, 'SHOW default_transaction_read_only').out, 'off', 'the database is writable again');
  assert.equal((await site.json<AddonBackupResource[]>(`/addons/${pg.id}/backups`))[0]?.status, 'completed', 'the snapshot was taken first');

  const upgradeBegan = Date.now();
  const upgrading = paas(['pg:upgrade', '-a', 'notes', '--version', '17', '--confirm', 'notes']);
  // While it runs (its snapshot is listed), nothing else changes the add-on: each is refused with what to do.
  await site.until('the upgrade’s snapshot under way', async () => (await site.json<AddonBackupResource[]>(`/addons/${pg.id}/backups`)).some((b) => b.name === 'b002'), 60_000);
  for (const [method, path] of [['POST', `/addons/${pg.id}/backups`], ['POST', `/addons/${pg.id}/actions/rotate-credentials`], ['DELETE', `/addons/${pg.id}`]] as const) {
    const refused = await site.call(method, path);
    assert.equal(refused.status, 409, `${method} ${path} during the upgrade`);
    assert.match(((await refused.json()) as { message: string }).message, /is being upgraded \(pg:upgrade\): try again when that has finished\. Nothing was changed\./);
  }
  const upgraded = await upgrading;
  t.diagnostic(`pg:upgrade 15 -> 17 of a 1-table, 2-row database took ${String(Date.now() - upgradeBegan)} ms through the CLI`);
  assert.equal(upgraded.code, 0, `${upgraded.stderr}${upgraded.stdout}`);
  assert.match(upgraded.stdout, /runs PostgreSQL 17 \(was 15\)\./);
  assert.match(upgraded.stdout, /Backup b002 was taken and verified first \(1 tables, 2 rows\)/);
  assert.match(upgraded.stdout, /no release was needed/);
  // The snapshot is listed with the backups, verified, and it finished before the new server started.
  const [backup] = await site.json<AddonBackupResource[]>(`/addons/${pg.id}/backups`);
  assert.deepEqual([backup?.name, backup?.status, backup?.verified], ['b002', 'completed', { tables: 1, rows: 2 }]);
  const listed = await paas(['pg:backups', '-a', 'notes']);
  assert.match(listed.stdout, /b002/);
  const started = psqlWith(url, "SELECT to_char(pg_postmaster_start_time() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS')").out;
  assert.ok(`${started}Z` >= (backup?.finished_at ?? ''), `the new server started (${started}) before the snapshot finished (${backup?.finished_at ?? ''})`);

  // The same URL reaches PostgreSQL 17; the app reads its rows through the router with no new release.
  assert.match(psqlWith(url, 'SHOW server_version').out, /^17\./);
  assert.equal((await site.json<Record<string, string>>('/apps/notes/config-vars')).DATABASE_URL, url);
  assert.equal((await site.json<ReleaseResource[]>('/apps/notes/releases')).length, releaseCount);
  await site.until('the app reading its rows from 17', async () => (await notes())?.join(',') === 'first,second', 60_000);
  assert.equal((await httpGet(site.paasd().routerPort, '/notes?body=third', 'notes.example.test', 'POST')).status, 201, 'the new cluster takes writes');
  assert.equal(serverBinary(Number(readFileSync(pidFile, 'utf8'))), join(majors.root, '17', 'bin', 'postgres'));
  assert.equal(recorded(), 17);
  assert.equal((await addonNow(pg.id)).version, '17');
  // The old cluster is kept to undo by hand.
  assert.equal(readFileSync(join(dir, 'data.15', 'PG_VERSION'), 'utf8').trim(), '15');
  assert.equal(readFileSync(join(dir, 'data', 'PG_VERSION'), 'utf8').trim(), '17');
  const info = await paas(['pg:info', '-a', 'notes']);
  assert.match(info.stdout, /Version:\s+17\n/);
});
