import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import Docker from 'dockerode';

import type { AddonResource, ReleaseResource } from '@paas/core';

import { psqlWith } from './addon-provider-contract.js';
import { gitClient } from './git-client.js';
import { dockerUnavailable } from './harness.js';
import { httpGet } from './http-get.js';
import { paasCli } from './paas-cli.js';
import { createSite, instanceOf } from './paasd-child.js';
import { FIXTURES, steadyLoad } from './platform-under-test.js';

const json = <T>(body: string): T => JSON.parse(body) as T;

/** The app's add-ons on the Docker runtime, end to end: containers on the apps' network, reached by name. */
test('Docker: postgresql and redis add-ons reached by container name, their data surviving a paasd restart and a killed server, credentials rotated (a redeploy) with no failed request, attached to a second app, backed up and restored, destroyed only when confirmed', { timeout: 600_000 }, async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const site = createSite(t, { PAAS_RUNTIME: 'docker', PAAS_BOOT_TIMEOUT: '120', PAAS_STOP_GRACE: '2' });
  await site.start();
  const docker = new Docker();
  const network = `paas-${instanceOf(site.dataDir)}`;
  const config = (): Promise<Record<string, string>> => site.json('/apps/notes/config-vars');
  /** The host reaches a container on the network by address, not by name. */
  const fromHost = async (url: string): Promise<string> => {
    const parsed = new URL(url);
    parsed.hostname = (await docker.getContainer(parsed.hostname).inspect()).NetworkSettings.Networks[network]?.IPAddress ?? '';
    return parsed.toString();
  };
  const serving = async (check: (body: { notes: number; hits: number }) => boolean): Promise<boolean> => {
    const newest = (await site.json<ReleaseResource[]>('/apps/notes/releases'))[0];
    if (newest?.status === 'failed') assert.fail(`v${String(newest.version)} failed: ${newest.status_reason ?? ''}`);
    const answer = await site.get('notes');
    return newest?.current === true && answer.status === 200 && check(json(answer.body));
  };

  assert.equal((await site.call('POST', '/apps', { name: 'notes' })).status, 201);
  const git = gitClient(t, site.token);
  const repo = await git.repo('notes', { dir: join(FIXTURES, 'node-addons') }, `${site.paasd().api}/notes.git`);
  const began = Date.now();
  const pushed = await git.run(repo, ['push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  t.diagnostic(`pushed in ${String(Date.now() - began)} ms`);
  // Both made at once: their containers start side by side.
  const made = await Promise.all(['postgresql', 'redis'].map(async (plan) => (await site.call('POST', '/apps/notes/addons', { plan })).json() as Promise<AddonResource>));
  await site.until('both add-ons attached and the app serving them', async () => {
    for (const addon of made) {
      const now = await site.json<AddonResource>(`/addons/${addon.id}`);
      assert.notEqual(now.state, 'failed', now.state_reason ?? '');
    }
    return (await serving((body) => body.notes === 0 && body.hits === 0)) && Object.hasOwn(await config(), 'REDIS_URL');
  }, 180_000);
  t.diagnostic(`add-ons attached and serving ${String(Date.now() - began)} ms after the push began`);
  const vars = await config();
  const [pg, redis] = made as [AddonResource, AddonResource];
  assert.equal(new URL(vars.DATABASE_URL ?? '').host, `paas-addon-${pg.id}:5432`);
  assert.equal(new URL(vars.REDIS_URL ?? '').host, `paas-addon-${redis.id}:6379`);
  for (const body of ['first', 'second']) assert.equal((await httpGet(site.paasd().routerPort, `/notes?body=${body}`, 'notes.example.test', 'POST')).status, 201);
  assert.deepEqual(json((await site.get('notes', '/notes')).body), { notes: ['first', 'second'] });

  // paasd dies and comes back: the add-on containers kept running, the app still reaches them.
  await site.paasd().kill();
  await site.start();
  await site.until('the app serving its rows after the restart', () => serving((body) => body.notes === 2 && body.hits === 2), 30_000);

  // The database server dies (kill -9 of its container's first process, as a crash would; `docker kill`
  // would count as a deliberate stop): the engine starts the container again on the same volume.
  process.kill((await docker.getContainer(`paas-addon-${pg.id}`).inspect()).State.Pid, 'SIGKILL');
  await site.until('the database back with its rows', () => serving((body) => body.notes === 2), 60_000);
  assert.match(await (await site.call('GET', '/apps/notes/logs?lines=500')).text(), /server exited \(signal 9\); the engine restarts it/);

  // Rotation: new credentials go live through a release while requests keep coming; the old ones stop working.
  const load = steadyLoad(site, 'notes', t);
  let rotated: { status: number; body: string };
  try {
    // The answer comes once every attached app's release is live: longer than an ordinary call may take.
    const response = await fetch(`${site.paasd().api}/addons/${pg.name}/actions/rotate-credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${site.token}` },
      signal: AbortSignal.timeout(180_000),
    });
    rotated = { status: response.status, body: await response.text() };
  } finally {
    await load.stop();
  }
  assert.equal(rotated.status, 200, rotated.body);
  assert.ok(json<{ releases: { ok: boolean }[] }>(rotated.body).releases.every((r) => r.ok), rotated.body);
  const { ok, failed } = await load.stop();
  assert.deepEqual(failed, [], `${String(failed.length)} failed requests during rotation`);
  assert.ok(ok > 10, `only ${String(ok)} requests`);
  const after = await config();
  assert.notEqual(after.DATABASE_URL, vars.DATABASE_URL);
  assert.equal(psqlWith(await fromHost(vars.DATABASE_URL ?? ''), 'SELECT 1').ok, false, 'the old credentials were dropped');
  assert.equal(psqlWith(await fromHost(after.DATABASE_URL ?? ''), 'SELECT count(*) FROM notes').out, '2');

  // The rotation was a redeploy too: the app's processes are new containers of a new release, on the same data.
  const releases = await site.json<ReleaseResource[]>('/apps/notes/releases');
  const running = await docker.listContainers({ filters: { label: ['paas.app=notes', `paas.instance=${instanceOf(site.dataDir)}`], status: ['running'] } });
  assert.ok(running.length > 0 && running.every((c) => c.Labels['paas.release'] === String(releases.find((r) => r.current)?.version)), 'the app runs in containers of the newest release');
  assert.ok(await serving((body) => body.notes === 2 && body.hits === 2));

  // From here on through the real CLI, as a user would.
  // How long each step takes, said at the end: CI time is watched.
  const steps: string[] = [];
  let stepBegan = Date.now();
  const step = (name: string): void => {
    steps.push(`${name} ${String(Date.now() - stepBegan)} ms`);
    stepBegan = Date.now();
  };
  const paas = paasCli(t, { api: () => site.paasd().api, token: site.token });
  const ran = async (args: string[]): Promise<{ stdout: string; stderr: string }> => {
    const run = await paas(args);
    assert.equal(run.code, 0, `paas ${args.join(' ')}:\n${run.stderr}${run.stdout}`);
    return run;
  };
  const servingApp = async (app: string, check: (body: { notes: number | null; hits: number | null }) => boolean): Promise<boolean> => {
    const newest = (await site.json<ReleaseResource[]>(`/apps/${app}/releases`))[0];
    if (newest?.status === 'failed') assert.fail(`${app} v${String(newest.version)} failed: ${newest.status_reason ?? ''}`);
    const answer = await site.get(app);
    return newest?.current === true && answer.status === 200 && check(json(answer.body));
  };

  // Each add-on's plan size: its container's limit (the servers above ran inside it), as addons:info shows it.
  for (const [addon, mb] of [[pg, 512], [redis, 256]] as const) {
    assert.equal((await docker.getContainer(`paas-addon-${addon.id}`).inspect()).HostConfig.Memory, mb * 2 ** 20);
    assert.match((await ran(['addons:info', addon.name])).stdout, new RegExp(`Memory:\\s+${String(mb)} MB`));
  }

  // The major is fixed at creation; pg:upgrade is the local runtime's (the add-on image carries one major), refused here, changing nothing.
  assert.match((await ran(['addons:info', pg.name])).stdout, /Version:\s+1\d\n/);
  const upgrade = await paas(['pg:upgrade', '-a', 'notes', '--version', '99', '--confirm', 'notes']);
  assert.notEqual(upgrade.code, 0);
  assert.match(upgrade.stderr, /runs in a container whose image carries one PostgreSQL major: pg:upgrade is for add-ons on the local runtime\..*Nothing was changed\./);
  assert.deepEqual(await site.json<unknown[]>(`/addons/${pg.id}/backups`), []);

  step('addons:info');
  // A second app runs the same slug (promoted through a pipeline: no second build) and reads notes' rows through
  // its own attachment, SHARED_URL (the fixture uses the attachment DATABASE_ATTACHMENT names).
  assert.equal((await site.call('POST', '/apps', { name: 'reader' })).status, 201);
  assert.equal((await site.call('PATCH', '/apps/reader/config-vars', { DATABASE_ATTACHMENT: 'SHARED' })).status, 200);
  assert.equal((await site.call('POST', '/pipelines', { name: 'notes-line' })).status, 201);
  for (const [app, stage] of [['notes', 'staging'], ['reader', 'production']]) assert.equal((await site.call('POST', '/pipeline-couplings', { app, pipeline: 'notes-line', stage })).status, 201);
  const promoted = await site.call('POST', '/pipeline-promotions', { pipeline: { id: 'notes-line' }, source: { app: { id: 'notes' } } });
  assert.equal(promoted.status, 201, await promoted.text());
  await site.until('reader serving the promoted slug, with no database yet', () => servingApp('reader', (body) => body.notes === null), 120_000);
  assert.match((await ran(['addons:attach', pg.name, '--as', 'SHARED', '-a', 'reader'])).stderr, /done, as SHARED_URL/);
  await site.until("reader serving notes' rows", () => servingApp('reader', (body) => body.notes === 2), 120_000);
  assert.equal(new URL((await site.json<Record<string, string>>('/apps/reader/config-vars')).SHARED_URL ?? '').host, `paas-addon-${pg.id}:5432`);

  step('second app attached');
  // Backup, a change, restore: the change is gone, and the listing says the backup was verified.
  assert.match((await ran(['pg:backups:capture', '-a', 'notes'])).stderr, /to b001\.\.\. done, verified: 1 tables, 2 rows/);
  assert.equal((await httpGet(site.paasd().routerPort, '/notes?body=third', 'notes.example.test', 'POST')).status, 201);
  assert.ok(await servingApp('notes', (body) => body.notes === 3));
  assert.equal((await paas(['pg:backups:restore', 'b001', '-a', 'notes'])).code, 2, 'a restore without --confirm is refused');
  assert.ok(await servingApp('notes', (body) => body.notes === 3), 'the refused restore changed nothing');
  await ran(['pg:backups:restore', 'b001', '-a', 'notes', '--confirm', 'notes']);
  assert.deepEqual(json((await site.get('notes', '/notes')).body), { notes: ['first', 'second'] });
  assert.ok(await servingApp('reader', (body) => body.notes === 2), 'reader sees the restored rows');
  assert.match((await ran(['pg:backups', '-a', 'notes'])).stdout, /b001 .*verified: 1 tables, 2 rows/);

  step('backup and restore');
  // Restored into another app's add-on: reader's own database, empty, gets notes' backup (APP::b001), and only when
  // confirmed. Then reader goes back to reading notes' database, and its own is destroyed.
  const archive = json<AddonResource>((await ran(['addons:create', 'postgresql', '--as', 'ARCHIVE', '-a', 'reader', '--wait', '--json'])).stdout).name;
  await ran(['config:set', 'DATABASE_ATTACHMENT=ARCHIVE', '-a', 'reader']);
  await site.until('reader serving its own, empty database', () => servingApp('reader', (body) => body.notes === 0), 120_000);
  assert.equal((await paas(['pg:backups:restore', 'notes::b001', 'ARCHIVE', '-a', 'reader'])).code, 2, 'a restore without --confirm is refused');
  await ran(['pg:backups:restore', 'notes::b001', 'ARCHIVE', '-a', 'reader', '--confirm', 'reader']);
  assert.deepEqual(json((await site.get('reader', '/notes')).body), { notes: ['first', 'second'] });
  await ran(['config:set', 'DATABASE_ATTACHMENT=SHARED', '-a', 'reader']);
  await ran(['addons:destroy', archive, '--confirm', archive]);
  await site.until("reader serving notes' database again", async () => (await site.json<Record<string, string>>('/apps/reader/config-vars')).ARCHIVE_URL === undefined && (await servingApp('reader', (body) => body.notes === 2)), 120_000);

  step('restored into another app');
  // The Redis container removed by hand: paasd makes it again over its volume at once (a volume prune meanwhile finds
  // it in use), the count is still there, and the app's log says what happened.
  await docker.getContainer(`paas-addon-${redis.id}`).remove({ force: true });
  await site.until('redis made again with its data', () => servingApp('notes', (body) => body.hits === 3), 60_000);
  assert.match(await (await site.call('GET', '/apps/notes/logs?lines=500')).text(), /container was removed outside paas; made again over its volume/);

  step('redis remade');
  // addons:destroy: refused without --confirm (nothing lost); with it the container and volume go, and each app it
  // is attached to (notes, and reader, which attaches it too now) gets a release without REDIS_URL.
  await ran(['addons:attach', redis.name, '-a', 'reader']);
  await site.until('reader counting in the same redis', () => servingApp('reader', (body) => body.hits === 3), 120_000);
  step('redis attached to reader');
  const refused = await paas(['addons:destroy', redis.name]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`pass --confirm ${redis.name}`));
  assert.ok(await servingApp('notes', (body) => body.hits === 3), 'the refused destroy lost nothing');
  const redisContainer = `paas-addon-${redis.id}`;
  assert.equal((await docker.getContainer(redisContainer).inspect()).State.Running, true);
  await ran(['addons:destroy', redis.name, '--confirm', redis.name]);
  await assert.rejects(docker.getContainer(redisContainer).inspect(), /no such container/i);
  await assert.rejects(docker.getVolume(redisContainer).inspect(), /no such volume/i);
  for (const app of ['notes', 'reader']) {
    assert.equal(Object.hasOwn(await site.json<Record<string, string>>(`/apps/${app}/config-vars`), 'REDIS_URL'), false, app);
    assert.match((await site.json<ReleaseResource[]>(`/apps/${app}/releases`))[0]?.description ?? '', /REDIS_URL/, app);
    await site.until(`${app} serving without redis`, () => servingApp(app, (body) => body.hits === null && body.notes === 2), 60_000);
  }

  step('addons:destroy');
  // Destroying the owner: the API refuses without the app's name, saying who loses what; the CLI says it too.
  const unconfirmed = await site.call('DELETE', '/apps/notes');
  assert.equal(unconfirmed.status, 409);
  assert.match(((await unconfirmed.json()) as { message: string }).message, new RegExp(`^notes owns ${pg.name}: destroying it destroys their data, and reader loses SHARED_URL`));
  assert.equal((await paas(['apps:destroy', 'notes'])).code, 2);
  const destroyed = await ran(['apps:destroy', 'notes', '--confirm', 'notes']);
  assert.match(destroyed.stderr, new RegExp(`its add-ons ${pg.name} with their data \\(reader loses SHARED_URL\\)`));
  await assert.rejects(docker.getContainer(`paas-addon-${pg.id}`).inspect(), /no such container/i);
  await assert.rejects(docker.getVolume(`paas-addon-${pg.id}`).inspect(), /no such volume/i);
  assert.equal(Object.hasOwn(await site.json<Record<string, string>>('/apps/reader/config-vars'), 'SHARED_URL'), false);
  assert.match((await site.json<ReleaseResource[]>('/apps/reader/releases'))[0]?.description ?? '', /SHARED_URL/);
  await site.until('reader serving without the database', () => servingApp('reader', (body) => body.notes === null), 60_000);
  step('apps:destroy');
  t.diagnostic(`steps: ${steps.join(', ')}`);
});
