import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import type { ReleaseResource } from '@paas/core';

import { gitClient } from './git-client.js';
import { TOKEN, dockerUnavailable, startHarness } from './harness.js';
import { runOneOff } from './one-off-client.js';

const fixture = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'node-web');

for (const runtime of ['local', 'docker'] as const) {
  test(`pushing the node-web fixture builds and releases it; a code-only push reuses the cached dependencies (${runtime} builds)`, { timeout: 15 * 60_000 }, async (t) => {
    if (runtime === 'docker') {
      const reason = await dockerUnavailable();
      if (reason) return t.skip(reason);
    }
    const h = await startHarness(t, { PAAS_RUNTIME: runtime });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    assert.ok(address && typeof address === 'object');
    await h.send('POST', '/apps', { name: 'node-web' });
    const git = gitClient(t, TOKEN);
    const repo = await git.repo('node-web', { dir: fixture }, `http://127.0.0.1:${String(address.port)}/node-web.git`);

    const cold = await git.run(repo, ['push', 'paas', 'main']);
    assert.equal(cold.code, 0, cold.out);
    const coldSlug = h.store.deploys.currentSlug('node-web');
    assert.match(coldSlug?.runtimeLayer ?? '', /^[0-9a-f]{64}$/, 'node and npm are a runtime layer of their own');
    assert.match(cold.out, /remote: {8}Runtime node-\S+: a shared layer, stored \(/);
    for (const line of [/remote: -----> Node\.js app detected/, /remote: -----> Installing dependencies/, /npm ci/, /remote: -----> Released v2/]) {
      assert.match(cold.out, line);
    }

    appendFileSync(join(repo, 'server.js'), '// a code change only\n');
    await git.run(repo, ['commit', '-qam', 'code only']);
    const warm = await git.run(repo, ['push', 'paas', 'main']);
    assert.equal(warm.code, 0, warm.out);
    assert.match(warm.out, /Restoring node_modules from cache \(lockfile, package.json files and settings unchanged\)/);
    assert.match(warm.out, /Using cached node/);
    assert.doesNotMatch(warm.out, /Downloaded|added \d+ package/);
    assert.match(warm.out, /remote: -----> Released v3/);
    assert.match(warm.out, /remote: {8}Runtime node-\S+: a shared layer, stored already/);
    const warmSlug = h.store.deploys.currentSlug('node-web');
    assert.notEqual(warmSlug?.checksum, coldSlug?.checksum);
    assert.equal(warmSlug?.runtimeLayer, coldSlug?.runtimeLayer, 'the push reuses the runtime layer');
    assert.ok((warmSlug?.size ?? Infinity) < 1024 * 1024, `the slug holds the app only (${String(warmSlug?.size)} bytes)`);
    const [latest] = (await h.request({ url: '/apps/node-web/releases' })).json<ReleaseResource[]>();
    assert.equal(latest?.description.startsWith('Deploy '), true);
    assert.deepEqual(Object.keys(h.store.deploys.currentSlug('node-web')?.processTypes ?? {}), ['web']);
    // The slug's node is on the PATH of a one-off (through .profile.d), and its exit code comes back.
    const run = await runOneOff(`http://127.0.0.1:${String(address.port)}`, 'node-web', 'node -e "console.log(process.version); process.exit(3)"');
    assert.equal('exit_code' in run.result ? run.result.exit_code : run.result, 3);
    assert.match(run.stdout, /^v\d+\.\d+\.\d+/);
    // A rollback to the cold push's release needs no build: its slug and layer are there.
    const rollback = await h.send('POST', '/apps/node-web/releases', { release: 'v2' });
    assert.equal(rollback.statusCode, 201, rollback.body);
    for (let i = 0; i < 600 && h.store.deploys.currentSlug('node-web')?.checksum !== coldSlug?.checksum; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(h.store.deploys.currentSlug('node-web')?.checksum, coldSlug?.checksum, "the rollback serves the cold push's slug");
    await h.send('DELETE', '/apps/node-web');
  });
}
