import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import Docker from 'dockerode';

import type { DynoResource } from '@paas/core';

import { gitClient } from './git-client.js';
import { dockerUnavailable } from './harness.js';
import { createSite, instanceOf } from './paasd-child.js';
import { FIXTURES } from './platform-under-test.js';

/** The Docker runtime under faults: an app container killed from outside, and paasd killed and started again. */
test('Docker: a killed app container is restarted, and a restarted paasd adopts the running container without a duplicate', { timeout: 600_000 }, async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const site = createSite(t, { PAAS_RUNTIME: 'docker', PAAS_BOOT_TIMEOUT: '60', PAAS_STOP_GRACE: '2' });
  await site.start();
  const docker = new Docker();
  /** The app's running containers, found by the labels paasd gives them. */
  const running = async (): Promise<string[]> =>
    (await docker.listContainers({ filters: { label: ['paas.app=dock', `paas.instance=${instanceOf(site.dataDir)}`], status: ['running'] } })).map((c) => c.Id);
  const serves = async (): Promise<boolean> => (await site.get('dock')).status === 200;

  const git = gitClient(t, site.token);
  assert.equal((await site.call('POST', '/apps', { name: 'dock' })).status, 201);
  assert.equal((await site.call('PUT', '/apps/dock/buildpack-installations', { updates: [{ buildpack: 'procfile' }] })).status, 200);
  const repo = await git.repo('dock', { dir: join(FIXTURES, 'py-web') }, `${site.paasd().api}/dock.git`);
  const pushed = await git.run(repo, ['push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  await site.until('the app to serve', serves, 60_000);
  const [first, ...others] = await running();
  assert.ok(first !== undefined && others.length === 0, 'one container for web=1');

  // Killed from outside, as the OOM killer or an operator would: the platform starts another.
  await docker.getContainer(first).kill();
  let now: string[] = [];
  await site.until(
    () => `a new container to serve: ${now.join(', ')}`,
    async () => {
      now = await running();
      return now.length === 1 && now[0] !== first && (await serves());
    },
    60_000,
  );
  const replacement = now[0];
  await site.until('web.1 up', async () => (await site.json<DynoResource[]>('/apps/dock/dynos')).every((d) => d.state === 'up'));

  // paasd dies and comes back: it adopts the container that kept running.
  await site.paasd().kill();
  assert.deepEqual(await running(), [replacement], 'the container outlives paasd');
  await site.start();
  const began = Date.now();
  await site.until('the app to serve after the restart', serves, 10_000);
  t.diagnostic(`served ${String(Date.now() - began)} ms after the restarted paasd listened`);
  // Long enough for a convergence that would start a duplicate to have started it.
  await sleep(5_000);
  assert.deepEqual(await running(), [replacement], 'the same container, adopted, and no other');
  const list = await site.json<DynoResource[]>('/apps/dock/dynos');
  assert.deepEqual(
    list.map((d) => [d.name, d.state]),
    [['web.1', 'up']],
  );
  assert.ok(await serves());
});
