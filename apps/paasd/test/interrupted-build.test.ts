import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { writeShellBuildpack } from './shell-buildpack.js';
import { gitClient } from './git-client.js';
import { createSite } from './paasd-child.js';

/** Every leftover of interrupted work under the data dir. */
function leftovers(dataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (!existsSync(dir) || depth > 4) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (/^(\.?paas-build-|paas-layer-|slug-.*\.tgz$|paas-slug-|tmp_objdir-incoming-|\.incoming-|\.unpack-|\.collected-|\.spare-)/.test(entry.name)) found.push(join(dir, entry.name));
      else if (entry.isDirectory() && !/^[0-9a-f]{64}$/.test(entry.name)) walk(join(dir, entry.name), depth + 1);
    }
  };
  walk(dataDir, 0);
  return found;
}

test('kill -9 during a build, then a restart: the previous release serves at once, nothing is left, and the next push works', { timeout: 5 * 60_000 }, async (t) => {
  const site = createSite(t, { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '30', PAAS_STOP_GRACE: '2' });
  const { dataDir } = site;
  const first = await site.start();
  const git = gitClient(t, site.token);
  // A build of a tree holding `slow` writes 8 MB into its tree, says so, and then takes its time.
  const pack = writeShellBuildpack(
    join(git.home, 'slow-pack'),
    `if [ -f "$1/slow" ]; then\n  head -c 8000000 /dev/urandom > "$1/blob"\n  echo "compiling the slow part"\n  sleep 15\nfi`,
  );
  assert.equal((await site.call('POST', '/apps', { name: 'slow' })).status, 201);
  assert.equal((await site.call('PUT', '/apps/slow/buildpack-installations', { updates: [{ buildpack: pack }] })).status, 200);
  const repo = await git.repo('slow', { files: { 'run.sh': 'exec python3 -m http.server "$PORT"\n', 'big.bin': randomBytes(2_000_000).toString('base64') } }, `${first.api}/slow.git`);
  const deployed = await git.run(repo, ['push', 'paas', 'main']);
  assert.equal(deployed.code, 0, deployed.out);
  await site.until('v2 to serve', async () => (await site.get('slow')).status === 200);
  // Once starts are quiet, the local driver makes a spare for v2's web process (mounted, and in the sandbox a waiting process).
  await site.until('a spare app dir', () => leftovers(dataDir).some((path) => path.includes('.spare-')));

  writeFileSync(join(repo, 'slow'), 'take your time\n');
  await git.run(repo, ['add', 'slow']);
  await git.run(repo, ['commit', '-qm', 'slow']);
  // The compile step says when it has begun, as a `remote:` line (it cannot write outside its build).
  const child = git.start(repo, ['push', 'paas', 'main']);
  let said = '';
  const reached = new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('compiling the slow part')) resolve();
    });
  });
  const push = new Promise<{ code: number }>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1 })));
  await Promise.race([reached, new Promise((_, reject) => setTimeout(() => reject(new Error(`the build never reached its compile step:\n${said}`)), 60_000).unref())]);
  const during = leftovers(dataDir);
  t.diagnostic(`during the build: ${during.map((path) => path.slice(dataDir.length)).join(', ')}`);
  assert.ok(during.some((path) => path.includes('paas-build-')), 'the build tree exists while the build runs');
  assert.ok(during.some((path) => path.includes('.spare-')), 'the spare is still there');
  await first.kill();
  const pushed = await push;
  assert.notEqual(pushed.code, 0);

  // What a kill a moment later (while the slug was being packed and stored) would leave too.
  writeFileSync(join(dataDir, 'tmp', 'slug-interrupted.tgz'), randomBytes(1000));
  mkdirSync(join(dataDir, 'slugs'), { recursive: true });
  writeFileSync(join(dataDir, 'slugs', '.incoming-interrupted'), randomBytes(1000));
  mkdirSync(join(dataDir, 'repos', 'slow.git', 'objects', 'tmp_objdir-incoming-interrupted'), { recursive: true });
  t.diagnostic(`after kill -9: ${leftovers(dataDir).map((path) => path.slice(dataDir.length)).join(', ')}`);

  const second = await site.start();
  const restarted = Date.now();
  assert.deepEqual(leftovers(dataDir), []);
  // The process of v2 outlived paasd; the new paasd adopts it and routes to it at once.
  await site.until('the previous release to serve after the restart', async () => (await site.get('slow')).status === 200, 10_000);
  t.diagnostic(`the previous release served ${String(Date.now() - restarted)} ms after the restarted paasd listened`);
  assert.doesNotMatch((await site.get('slow')).body, /"slow"/, 'the interrupted code never went live');
  const builds = await site.json<{ status: string }[]>('/apps/slow/builds');
  assert.deepEqual(builds.map((build) => build.status), ['failed', 'succeeded']);

  await git.run(repo, ['rm', '-q', 'slow']);
  await git.run(repo, ['commit', '-qm', 'fast again']);
  await git.run(repo, ['remote', 'set-url', 'paas', `${second.api}/slow.git`]);
  const next = await git.run(repo, ['push', 'paas', 'main']);
  assert.equal(next.code, 0, next.out);
  assert.match(next.out, /Released v3/);
  const releases = await site.json<{ version: number; current: boolean }[]>('/apps/slow/releases');
  assert.deepEqual(releases.map((release) => release.version), [3, 2, 1], 'versions are contiguous');
  assert.equal(releases[0]?.current, true);
});
