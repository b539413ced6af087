import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import type { DynoResource, ReleaseResource } from '@paas/core';

import { gitClient } from './git-client.js';
import type { GitClient } from './git-client.js';
import type { Site } from './paasd-child.js';
import { createSite } from './paasd-child.js';
import { FIXTURES } from './platform-under-test.js';

/**
 * paasd killed with SIGKILL at the worst moments of a deploy, then started again on the
 * same data dir: what users check afterwards. The web process of fixtures/slow-boot takes
 * about three seconds to boot, which holds a rollout open long enough to kill paasd in it.
 */
const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '30', PAAS_STOP_GRACE: '2' };

interface Served {
  readonly dyno: string;
  readonly greeting: string | null;
  readonly release: string;
}

const releases = (site: Site, app: string): Promise<ReleaseResource[]> => site.json<ReleaseResource[]>(`/apps/${app}/releases`);
const dynos = (site: Site, app: string): Promise<DynoResource[]> => site.json<DynoResource[]>(`/apps/${app}/dynos`);
const summary = (list: readonly ReleaseResource[]): string => list.map((r) => `v${String(r.version)} ${r.status}${r.current ? ' (current)' : ''}`).join(', ');
const contiguous = (list: readonly ReleaseResource[]): boolean => list.every((r, i) => r.version === list.length - i);

async function served(site: Site, app: string): Promise<Served> {
  const response = await site.get(app);
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as Served;
}

/** A new app running fixtures/slow-boot as v2. */
async function deploySlowBoot(site: Site, git: GitClient, app: string): Promise<string> {
  assert.equal((await site.call('POST', '/apps', { name: app })).status, 201);
  assert.equal((await site.call('PUT', `/apps/${app}/buildpack-installations`, { updates: [{ buildpack: 'procfile' }] })).status, 200);
  const repo = await git.repo(app, { dir: join(FIXTURES, 'slow-boot') }, `${site.paasd().api}/${app}.git`);
  const pushed = await git.run(repo, ['push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  await site.until(`${app} v2 to serve`, async () => (await served(site, app)).release === 'v2');
  return repo;
}

/** Waits until the previous release answers through the router of the paasd just started; returns how long that took. */
async function timeToServe(site: Site, app: string, release: string): Promise<number> {
  const began = Date.now();
  await site.until(`${release} to serve after the restart`, async () => (await served(site, app)).release === release, 10_000);
  return Date.now() - began;
}

/** Exactly `count` web processes, all of `release`, for a few seconds in a row: no duplicate comes back. */
async function steadyDynos(site: Site, app: string, count: number, release: number): Promise<void> {
  let seen: DynoResource[] = [];
  const describe = (): string => seen.map((d) => `${d.name} v${String(d.release.version)} ${d.state}`).join(', ');
  let since = 0;
  await site.until(
    () => `${String(count)} web process(es) of v${String(release)} and nothing else: ${describe()}`,
    async () => {
      seen = await dynos(site, app);
      const right = seen.length === count && seen.every((d) => d.type === 'web' && d.release.version === release && d.state === 'up');
      if (!right) since = 0;
      else if (since === 0) since = Date.now();
      return right && Date.now() - since >= 3_000;
    },
    40_000,
  );
}

test('kill -9 after the slug is stored, while the release rolls out: the release fails, the old one serves, the next push works', { timeout: 180_000 }, async (t) => {
  const site = createSite(t, FAST);
  await site.start();
  const git = gitClient(t, site.token);
  const repo = await deploySlowBoot(site, git, 'stored');

  writeFileSync(join(repo, 'NOTE'), 'new code\n');
  await git.run(repo, ['add', 'NOTE']);
  await git.run(repo, ['commit', '-qm', 'new code']);
  const push = git.start(repo, ['push', 'paas', 'main']);
  let out = '';
  const launching = new Promise<void>((resolve) => {
    push.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('Launching v3')) resolve();
    });
  });
  const ended = new Promise<number | null>((resolve) => push.once('close', (code) => resolve(code)));
  await Promise.race([launching, ended]);
  assert.match(out, /Launching v3/, 'the slug was stored and v3 created');
  // v3's web process is booting (three seconds): paasd dies now.
  await site.paasd().kill();
  assert.notEqual(await ended, 0, `the push is refused:\n${out}`);

  const restarted = await site.start();
  const ms = await timeToServe(site, 'stored', 'v2');
  t.diagnostic(`v2 served ${String(ms)} ms after the restarted paasd listened`);
  const list = await releases(site, 'stored');
  assert.deepEqual(
    list.map((r) => [r.version, r.status, r.current]),
    [
      [3, 'failed', false],
      [2, 'succeeded', true],
      [1, 'succeeded', false],
    ],
    summary(list),
  );
  assert.match(list[0]?.status_reason ?? '', /paas stopped before this release went live/);
  assert.match(restarted.output(), /"release":3,"msg":"release interrupted by a restart marked failed"/);
  const builds = await site.json<{ status: string }[]>('/apps/stored/builds');
  assert.deepEqual(builds.map((b) => b.status), ['failed', 'succeeded']);
  // The process v3 had started outlived paasd; it is stopped, v2's keeps serving.
  await steadyDynos(site, 'stored', 1, 2);

  await git.run(repo, ['remote', 'set-url', 'paas', `${restarted.api}/stored.git`]);
  const next = await git.run(repo, ['push', 'paas', 'main']);
  assert.equal(next.code, 0, next.out);
  assert.match(next.out, /Released v4/);
  const after = await releases(site, 'stored');
  assert.ok(contiguous(after), summary(after));
  assert.deepEqual(after.map((r) => r.status), ['succeeded', 'failed', 'succeeded', 'succeeded'], summary(after));
  assert.equal(after[0]?.current, true);
  assert.equal((await served(site, 'stored')).release, 'v4');
  await steadyDynos(site, 'stored', 1, 4);
});

test('kill -9 while a config change rolls out: the acknowledged change is deployed after the restart', { timeout: 180_000 }, async (t) => {
  const site = createSite(t, FAST);
  await site.start();
  const git = gitClient(t, site.token);
  await deploySlowBoot(site, git, 'config');

  const patched = await site.call('PATCH', '/apps/config/config-vars', { GREETING: 'kept' });
  assert.equal(patched.status, 200, await patched.text());
  // The rollout has begun: v3's web process is booting beside v2's.
  await site.until('a process of v3 to start', async () => (await dynos(site, 'config')).some((d) => d.release.version === 3));
  assert.equal((await releases(site, 'config'))[0]?.status, 'pending');
  await site.paasd().kill();

  const restarted = await site.start();
  assert.match(restarted.output(), /"release":3,"msg":"release interrupted by a restart deployed again"/);
  // Whichever release answers first, something does at once.
  const began = Date.now();
  await site.until('the app to answer after the restart', async () => (await site.get('config')).status === 200, 10_000);
  t.diagnostic(`served ${String(Date.now() - began)} ms after the restarted paasd listened`);
  let list: ReleaseResource[] = [];
  await site.until(
    () => `v3 to go live: ${summary(list)}`,
    async () => {
      list = await releases(site, 'config');
      return list[0]?.version === 3 && list[0].status === 'succeeded' && list[0].current;
    },
    40_000,
  );
  assert.ok(contiguous(list), summary(list));
  assert.equal(list.length, 3, summary(list));
  assert.deepEqual(await site.json<Record<string, string>>('/apps/config/config-vars'), { GREETING: 'kept' });
  assert.deepEqual(await served(site, 'config'), { dyno: 'web.1', greeting: 'kept', release: 'v3' });
  await steadyDynos(site, 'config', 1, 3);
});
