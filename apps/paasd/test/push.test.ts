import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';

import type { BuildResource, ReleaseResource } from '@paas/core';

import { gitClient } from './git-client.js';
import { TOKEN, dockerUnavailable, startHarness } from './harness.js';

/** A classic buildpack as plain shell: what a third party would write. */
function writeBuildpack(dir: string, compileExit = 0, compileFirst = ''): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const scripts: Record<string, string> = {
    detect: '#!/bin/sh\n[ -f "$1/run.sh" ] && echo "Shell" && exit 0\nexit 1\n',
    compile: `#!/bin/sh\nset -e\n${compileFirst}echo "-----> Compiling with the shell pack"\necho "       greeting is $(cat "$3/GREETING" 2>/dev/null || echo unset)"\necho built > "$1/built.txt"\nexit ${String(compileExit)}\n`,
    release: '#!/bin/sh\nprintf -- "---\\ndefault_process_types:\\n  web: sh run.sh\\n"\n',
  };
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, 'bin', name), body);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  return dir;
}

async function setup(t: TestContext, runtime: 'local' | 'docker' = 'local', env: Record<string, string> = {}) {
  const h = await startHarness(t, { PAAS_RUNTIME: runtime, ...env });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  assert.ok(address && typeof address === 'object');
  const client = gitClient(t, TOKEN);
  const repo = await client.repo('app', { files: { 'run.sh': 'exec python3 -m http.server "$PORT"\n' } }, `http://127.0.0.1:${String(address.port)}/demo.git`);
  await h.send('POST', '/apps', { name: 'demo' });
  return { h, work: client.home, repo, git: client.run };
}

for (const runtime of ['local', 'docker'] as const) {
test(`git push builds with the app's buildpack and ends with the new release; a failing build rejects the push (${runtime} builds)`, { timeout: 20 * 60_000 }, async (t) => {
  if (runtime === 'docker') {
    const reason = await dockerUnavailable();
    if (reason) return t.skip(reason);
  }
  const { h, work, repo, git } = await setup(t, runtime);
  const pack = writeBuildpack(join(work, 'shell-pack'));
  assert.equal((await h.request({ method: 'PUT', url: '/apps/demo/buildpack-installations', payload: { updates: [{ buildpack: pack }] } })).statusCode, 200);
  await h.send('PATCH', '/apps/demo/config-vars', { GREETING: 'hi there' }); // v2

  const pushed = await git(repo, ['push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  assert.match(pushed.out, /remote: -----> Compiling with the shell pack/);
  assert.match(pushed.out, /remote: {8}greeting is hi there/);
  assert.match(pushed.out, /remote: -----> Released v3/);
  assert.match(pushed.out, /remote: {8}http:\/\/demo\.example\.test:8080\/ deployed to paas/);
  const releases = (await h.request({ url: '/apps/demo/releases' })).json<ReleaseResource[]>();
  const head = (await git(repo, ['rev-parse', 'HEAD'])).out.trim();
  assert.equal(releases[0]?.description, `Deploy ${head.slice(0, 7)}`);
  assert.equal(releases[0]?.slug?.commit, head);
  const [build] = (await h.request({ url: '/apps/demo/builds' })).json<BuildResource[]>();
  assert.equal(build?.status, 'succeeded');
  assert.equal(build?.release?.version, 3);
  const output = await h.request({ url: `/apps/demo/builds/${build?.id ?? ''}/output` });
  assert.match(output.body, /Compiling with the shell pack/);

  // A build that fails rejects the push and leaves v3 current.
  writeBuildpack(pack, 1);
  writeFileSync(join(repo, 'run.sh'), 'echo changed\n');
  await git(repo, ['commit', '-qam', 'second']);
  const rejected = await git(repo, ['push', 'paas', 'main']);
  assert.notEqual(rejected.code, 0);
  assert.match(rejected.out, /pre-receive hook declined/);
  assert.match(rejected.out, /remote: {2}! /);
  assert.equal((await h.request({ url: '/apps/demo/releases' })).json<ReleaseResource[]>()[0]?.version, 3);
  assert.equal((await h.request({ url: '/apps/demo/builds' })).json<BuildResource[]>()[0]?.status, 'failed');
});
}

test('PAAS_BUILD_TIMEOUT stops a build that runs too long, saying the limit; the app keeps its release and can push again', { timeout: 5 * 60_000 }, async (t) => {
  const { h, work, repo, git } = await setup(t, 'local', { PAAS_BUILD_TIMEOUT: '2s' });
  const pack = writeBuildpack(join(work, 'slow-pack'), 0, 'echo "-----> Sleeping"\nsleep 300\n');
  assert.equal((await h.request({ method: 'PUT', url: '/apps/demo/buildpack-installations', payload: { updates: [{ buildpack: pack }] } })).statusCode, 200);
  const started = Date.now();
  const stopped = await git(repo, ['push', 'paas', 'main']);
  assert.notEqual(stopped.code, 0);
  assert.ok(Date.now() - started < 60_000, 'the build stopped soon after the limit');
  assert.match(stopped.out, /remote: {2}! {5}The build reached the time limit of 2 seconds \(during .*\) and was stopped; the app keeps its current release\./);
  assert.match(stopped.out, /PAAS_BUILD_TIMEOUT/);
  assert.equal((await h.request({ url: '/apps/demo/releases' })).json<ReleaseResource[]>().length, 1);
  writeBuildpack(pack);
  const pushed = await git(repo, ['push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  assert.match(pushed.out, /remote: -----> Released v2/);
});

test('pushes to other branches are refused with the branch that deploys; wrong tokens are refused', async (t) => {
  const { h, repo, git, work } = await setup(t);
  const remote = (await git(repo, ['remote', 'get-url', 'paas'])).out.trim();
  const missing = await git(repo, ['push', remote.replace('/demo.git', '/nope.git'), 'main']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.out, /No app named nope/);
  const other = await git(repo, ['push', 'paas', 'main:feature']);
  assert.notEqual(other.code, 0);
  assert.match(other.out, /paas deploys only main/);
  writeFileSync(join(work, '.netrc'), 'machine 127.0.0.1 login paas password wrong-token\n', { mode: 0o600 });
  const denied = await git(repo, ['push', 'paas', 'main']);
  assert.notEqual(denied.code, 0);
  // git is refused and asks for credentials again (no terminal here, so it stops).
  assert.match(denied.out, /could not read Username|Authentication failed/);
  assert.equal((await h.request({ url: '/apps/demo/releases' })).json<ReleaseResource[]>().length, 1);
});

test('an app no buildpack recognises is rejected with the list of packs tried', async (t) => {
  const { h, repo, git } = await setup(t);
  const pushed = await git(repo, ['push', 'paas', 'main']);
  assert.notEqual(pushed.code, 0, pushed.out);
  assert.match(pushed.out, /nodejs/);
  assert.equal((await h.request({ url: '/apps/demo/releases' })).json<ReleaseResource[]>().length, 1);
});
