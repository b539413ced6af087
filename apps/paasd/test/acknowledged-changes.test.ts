import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ReleaseResource } from '@paas/core';

import { dockerUnavailable } from './harness.js';
import type { PlatformUnderTest } from './platform-under-test.js';
import { startPlatform } from './platform-under-test.js';

/**
 * No acknowledged change is lost, and every release ends: whole-platform tests with a web
 * process that takes about three seconds to boot (fixtures/slow-boot), so changes overlap
 * rollouts as they do when people work.
 */
const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '30', PAAS_STOP_GRACE: '2' };

const releases = async (p: PlatformUnderTest, app: string): Promise<ReleaseResource[]> =>
  (await p.h.request({ url: `/apps/${app}/releases` })).json<ReleaseResource[]>();
const config = async (p: PlatformUnderTest, app: string): Promise<Record<string, string>> =>
  (await p.h.request({ url: `/apps/${app}/config-vars` })).json<Record<string, string>>();
const setConfig = async (p: PlatformUnderTest, app: string, vars: Record<string, string | null>): Promise<void> => {
  const response = await p.h.send('PATCH', `/apps/${app}/config-vars`, vars);
  assert.equal(response.statusCode, 200, response.body);
};
/** Waits until nothing is pending and the newest release that did not fail is the current one. */
const settled = async (p: PlatformUnderTest, app: string, timeoutMs = 60_000): Promise<ReleaseResource[]> => {
  let seen: ReleaseResource[] = [];
  await p.until(
    () => `the releases to settle: ${seen.map((r) => `v${String(r.version)} ${r.status}${r.current ? ' (current)' : ''}`).join(', ')}`,
    async () => {
      const list = await releases(p, app);
      seen = list;
      return list.every((r) => r.status !== 'pending') && list.find((r) => r.status === 'succeeded')?.current === true;
    },
    timeoutMs,
  );
  return releases(p, app);
};
const contiguous = (list: readonly ReleaseResource[]): boolean => list.every((r, i) => r.version === list.length - i);

test('config changes made while a release rolls out are all kept, and the newest release serves them', { timeout: 180_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const pushed = await p.pushFixture('slow', 'slow-boot', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  // The reproduction: a second change during the first one's rollout, a third after it ended.
  await setConfig(p, 'slow', { A: '1' });
  await setConfig(p, 'slow', { B: '1' });
  await sleep(4_500);
  await setConfig(p, 'slow', { C: '1' });
  assert.deepEqual(await config(p, 'slow'), { A: '1', B: '1', C: '1' });
  let list = await settled(p, 'slow');
  assert.deepEqual(await config(p, 'slow'), { A: '1', B: '1', C: '1' });
  assert.equal(list[0]?.current, true, 'the newest release serves');

  // Fifty at once, each with its own key: every key stays, versions are contiguous.
  const keys = Array.from({ length: 50 }, (_, i) => `KEY_${String(i)}`);
  await Promise.all(keys.map((key) => setConfig(p, 'slow', { [key]: key.toLowerCase() })));
  const after = await config(p, 'slow');
  for (const key of keys) assert.equal(after[key], key.toLowerCase(), `${key} is kept`);
  list = await settled(p, 'slow');
  assert.ok(contiguous(list), `versions are contiguous: ${list.map((r) => r.version).join(',')}`);
  assert.equal(list.length, 2 + 3 + 50);
  assert.equal(list[0]?.current, true, 'the newest release serves');
  assert.deepEqual(
    [...new Set(list.slice(1, 50).map((r) => r.status))].filter((s) => s !== 'succeeded' && s !== 'superseded'),
    [],
    'the others went live or were superseded',
  );
  assert.ok(list.some((r) => r.status === 'superseded' && r.status_reason?.startsWith('superseded by v')), 'overlapping releases were superseded');
  assert.deepEqual(await config(p, 'slow'), after, 'finishing the rollouts changed no config');
});

test('a push finishing while a config release rolls out keeps both the code and the config', { timeout: 180_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const pushed = await p.pushFixture('both', 'slow-boot', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  writeFileSync(join(pushed.repo, 'NOTE'), 'a code change\n');
  await p.git.run(pushed.repo, ['add', 'NOTE']);
  await p.git.run(pushed.repo, ['commit', '-qm', 'second']);
  const commit = (await p.git.run(pushed.repo, ['rev-parse', 'HEAD'])).out.trim();
  // The config release starts rolling out (three seconds of boot); the push lands during it.
  await setConfig(p, 'both', { GREETING: 'during the push' });
  const second = await p.git.run(pushed.repo, ['push', 'paas', 'main']);
  assert.equal(second.code, 0, second.out);
  // And a config change made while that push rolls out carries the pushed code.
  await setConfig(p, 'both', { OTHER: 'x' });
  const list = await settled(p, 'both');
  assert.deepEqual(await config(p, 'both'), { GREETING: 'during the push', OTHER: 'x' });
  const live = list.find((r) => r.current);
  assert.equal(live?.version, list[0]?.version, 'the newest release serves');
  assert.equal(live?.slug?.commit, commit, 'with the pushed code');
  const body = JSON.parse((await p.get('both')).body) as { greeting: string };
  assert.equal(body.greeting, 'during the push');
});

test('a release whose processes cannot be spawned fails with the reason; the next change proceeds', { timeout: 120_000 }, async (t) => {
  const p = await startPlatform(t, { ...FAST, PAAS_BOOT_TIMEOUT: '60' });
  const pushed = await p.pushFixture('nopath', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  const began = Date.now();
  await setConfig(p, 'nopath', { PATH: '/nope' });
  await p.until('the release to fail', async () => (await releases(p, 'nopath'))[0]?.status === 'failed', 30_000);
  assert.ok(Date.now() - began < 30_000, 'well within the boot timeout');
  const [failed, serving] = await releases(p, 'nopath');
  assert.match(failed?.status_reason ?? '', /v3 was not deployed and v2 keeps serving/);
  assert.equal(serving?.current, true);
  assert.equal((await p.get('nopath')).status, 200, 'the previous release keeps serving');
  const logs = (await p.h.request({ url: '/apps/nopath/logs?lines=300' })).body;
  assert.match(logs, /Release v3 failed: /);
  // The lock is free: the next change goes live.
  await setConfig(p, 'nopath', { PATH: null });
  await p.until('v4 live', async () => (await releases(p, 'nopath'))[0]?.current === true, 30_000);
});

test('fifty concurrent config changes keep every key under the Docker runtime', { timeout: 600_000 }, async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const p = await startPlatform(t, { ...FAST, PAAS_RUNTIME: 'docker', PAAS_BOOT_TIMEOUT: '60' });
  const pushed = await p.pushFixture('dock', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  const keys = Array.from({ length: 50 }, (_, i) => `KEY_${String(i)}`);
  await Promise.all(keys.map((key) => setConfig(p, 'dock', { [key]: 'v' })));
  const list = await settled(p, 'dock', 300_000);
  assert.equal(Object.keys(await config(p, 'dock')).length, 50);
  assert.ok(contiguous(list));
  assert.equal(list[0]?.current, true);
  await p.h.send('DELETE', '/apps/dock');
});
