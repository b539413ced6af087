import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import type { DiskCollectionResource, DiskResource } from '@paas/core';

import { startPlatform } from './platform-under-test.js';
import { writeShellBuildpack } from './shell-buildpack.js';

const SLUG_NAME = /^[0-9a-f]{64}(\.tgz)?$/;
const stored = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((name) => SLUG_NAME.test(name)) : []);

test('thirty deploys with PAAS_KEEP_RELEASES=5 keep five slugs and unpacked copies; older rollbacks are refused; destroying the app frees the rest', { timeout: 10 * 60_000 }, async (t) => {
  const p = await startPlatform(t, { PAAS_RUNTIME: 'local', PAAS_KEEP_RELEASES: '5', PAAS_GC_INTERVAL: '0' });
  const { h } = p;
  const slugsDir = join(h.dataDir, 'slugs');
  const unpackedDir = join(h.dataDir, 'local', 'slugs-unpacked');
  await h.send('POST', '/apps', { name: 'bounded' });
  const pack = writeShellBuildpack(join(p.git.home, 'shell-pack'));
  await h.request({ method: 'PUT', url: '/apps/bounded/buildpack-installations', payload: { updates: [{ buildpack: pack }] } });
  const repo = await p.git.repo('bounded', { files: { 'run.sh': 'exec python3 -m http.server "$PORT"\n', 'deploy.txt': '1\n' } }, `${p.api}/bounded.git`);

  const began = Date.now();
  for (let deploy = 1; deploy <= 30; deploy += 1) {
    if (deploy > 1) {
      writeFileSync(join(repo, 'deploy.txt'), `${String(deploy)}\n`);
      await p.git.run(repo, ['commit', '-qam', `deploy ${String(deploy)}`]);
    }
    const pushed = await p.git.run(repo, ['push', 'paas', 'main']);
    assert.equal(pushed.code, 0, pushed.out);
    assert.match(pushed.out, new RegExp(`Released v${String(deploy + 1)}`));
  }
  t.diagnostic(`30 pushes in ${String(Date.now() - began)} ms`);
  const before = { slugs: stored(slugsDir).length, unpacked: stored(unpackedDir).length };
  t.diagnostic(`before collection: ${String(before.slugs)} slugs, ${String(before.unpacked)} unpacked`);
  assert.equal(before.slugs, 30);

  const report = (await h.request({ url: '/disk' })).json<DiskResource>();
  assert.equal(report.keep_releases, 5);
  assert.ok(report.by_kind.slugs > 0 && report.by_kind.repos > 0, JSON.stringify(report.by_kind));
  assert.equal(report.collectable.filter((item) => item.kind === 'slug').length, 25);
  assert.ok(report.collectable_bytes > 0);
  t.diagnostic(`disk before: ${JSON.stringify(report.by_kind)}, collectable ${String(report.collectable_bytes)}`);

  const collected = (await h.send('POST', '/disk/collect')).json<DiskCollectionResource>();
  assert.equal(collected.removed.filter((item) => item.kind === 'slug').length, 25);
  assert.deepEqual(collected.skipped, []);
  assert.equal(stored(slugsDir).length, 5);
  assert.ok(stored(unpackedDir).length <= 5, `${String(stored(unpackedDir).length)} unpacked slugs remain`);
  const after = (await h.request({ url: '/disk' })).json<DiskResource>();
  assert.equal(after.collectable_bytes, 0);
  assert.ok(after.total_bytes < report.total_bytes);
  t.diagnostic(`disk after: ${JSON.stringify(after.by_kind)}; freed ${String(collected.freed_bytes)}`);

  // The running release was never touched: it still answers.
  assert.equal((await p.get('bounded')).status, 200);

  // v3 ran the second push's slug: collected. v28 is among the newest five (v27-v31): kept.
  const refused = await h.send('POST', '/apps/bounded/releases', { release: 'v3' });
  assert.equal(refused.statusCode, 422);
  assert.equal(refused.json<{ id: string }>().id, 'slug_collected');
  assert.match(refused.json<{ message: string }>().message, /slug of v3 was removed by the disk collector \(it keeps the newest 5 releases' slugs\)/);
  assert.equal((await h.send('POST', '/apps/bounded/releases', { release: 'v28' })).statusCode, 201);
  await p.until('the rollback is live', async () => (await h.request({ url: '/apps/bounded/releases' })).json<{ current: boolean; version: number }[]>()[0]?.current === true);

  assert.equal((await h.send('DELETE', '/apps/bounded')).statusCode, 200);
  assert.deepEqual(stored(slugsDir), []);
  assert.deepEqual(stored(unpackedDir), []);
  assert.equal(existsSync(join(h.dataDir, 'cache', 'bounded')), false);
  assert.equal(existsSync(join(h.dataDir, 'repos', 'bounded.git')), false);
  const empty = (await h.request({ url: '/disk' })).json<DiskResource>();
  assert.equal(empty.by_kind.slugs + empty.by_kind.unpacked, 0, JSON.stringify(empty.by_kind));
});
