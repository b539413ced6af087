import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { DynoResource, ReleaseResource } from '@paas/core';

import { dockerUnavailable, swarmForTest } from './harness.js';
import { runOneOff } from './one-off-client.js';
import type { PlatformUnderTest } from './platform-under-test.js';
import { startPlatform, steadyLoad } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '5', PAAS_STOP_GRACE: '2' };

const dynoOf = (body: string): string => (JSON.parse(body) as { dyno: string }).dyno;
const greetingOf = (body: string): string | null => (JSON.parse(body) as { greeting: string | null }).greeting;
const releases = async (p: PlatformUnderTest, app: string): Promise<ReleaseResource[]> =>
  (await p.h.request({ url: `/apps/${app}/releases` })).json<ReleaseResource[]>();
const dynos = async (p: PlatformUnderTest, app: string): Promise<DynoResource[]> =>
  (await p.h.request({ url: `/apps/${app}/dynos` })).json<DynoResource[]>();

for (const runtime of ['local', 'docker', 'swarm'] as const) {
test(`a push goes live behind the router; scaling spreads requests; config:set and rollback go live with no failed request; run returns the exit code (${runtime})`, { timeout: 600_000 }, async (t) => {
  if (runtime === 'docker') {
    const reason = await dockerUnavailable();
    if (reason) return t.skip(reason);
  }
  let leaveSwarm: (() => Promise<void>) | undefined;
  if (runtime === 'swarm') {
    const swarm = await swarmForTest();
    if ('skip' in swarm) return t.skip(swarm.skip);
    leaveSwarm = swarm.leave;
  }
  const p = await startPlatform(t, { ...FAST, PAAS_RUNTIME: runtime, PAAS_BOOT_TIMEOUT: '30' });
  // Added after the platform's cleanup (hooks run in the order they are added), which removes the services first.
  if (leaveSwarm) t.after(leaveSwarm);
  const pushed = await p.pushFixture('web', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  assert.match(pushed.out, /Released v2/);
  const first = await p.get('web');
  assert.equal(first.status, 200, first.body);
  assert.equal(dynoOf(first.body), 'web.1');

  await p.h.send('PATCH', '/apps/web/formation', { updates: [{ type: 'web', quantity: 3 }] });
  const seen = new Set<string>();
  await p.until('three web processes answering', async () => {
    seen.add(dynoOf((await p.get('web')).body));
    return seen.size === 3;
  });
  assert.deepEqual([...seen].sort(), ['web.1', 'web.2', 'web.3']);
  assert.deepEqual((await dynos(p, 'web')).map((d) => [d.name, d.state]), [['web.1', 'up'], ['web.2', 'up'], ['web.3', 'up']]);

  const load = steadyLoad(p, 'web', t);
  await p.h.send('PATCH', '/apps/web/config-vars', { GREETING: 'hello' }); // v3
  await p.until('v3 serving', async () => (await releases(p, 'web'))[0]?.current === true && greetingOf((await p.get('web')).body) === 'hello');
  await p.h.send('POST', '/apps/web/releases', { release: 'v2' }); // v4
  await p.until('v4 serving', async () => (await releases(p, 'web'))[0]?.current === true && greetingOf((await p.get('web')).body) === null);
  const { ok, failed } = await load.stop(21);
  assert.deepEqual(failed, [], `${String(failed.length)} failed requests during config:set and rollback`);
  assert.ok(ok > 20, `only ${String(ok)} requests were made`);
  assert.deepEqual((await dynos(p, 'web')).map((d) => d.release.version), [4, 4, 4]);

  const run = await runOneOff(p.api, 'web', `python3 -c "import sys; print('out \\$(not expanded)'); sys.exit(3)"`);
  assert.deepEqual(run.result, { ...run.result, exit_code: 3 });
  assert.match(run.stdout, /out \$\(not expanded\)/);

  // `paas run --detach`: answered at once, the output lands in the app's log.
  const detached = await p.h.send('POST', '/apps/web/dynos', { command: 'echo detached-$((20+22))' });
  assert.equal(detached.statusCode, 201);
  const { name } = detached.json<{ name: string }>();
  await p.until('the detached output in the log', async () =>
    (await p.h.request({ url: '/apps/web/logs?lines=500' })).body.includes(`app[${name}]: detached-42`),
  );
  await p.h.send('DELETE', '/apps/web');
});
}

test('a release that never binds $PORT fails (R10) and the previous release keeps serving', { timeout: 120_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const good = await p.pushFixture('app', 'py-web', 'procfile');
  assert.equal(good.code, 0, good.out);
  await p.git.run(good.repo, ['rm', '-q', 'server.py']);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${good.repo}/Procfile`, 'web: echo "never binding"; sleep 1000\n');
  await p.git.run(good.repo, ['commit', '-qam', 'break it']);
  const bad = await p.git.run(good.repo, ['push', 'paas', 'main']);
  assert.notEqual(bad.code, 0, bad.out);
  assert.match(bad.out, /did not bind \$PORT/);
  const [v3, v2] = await releases(p, 'app');
  assert.equal(v3?.status, 'failed');
  assert.equal(v2?.current, true);
  assert.equal((await p.get('app')).status, 200);
  const logs = (await p.h.request({ url: '/apps/app/logs?lines=200' })).body;
  assert.match(logs, /Error R10 \(Boot timeout\)/);
});

test('a failing release phase fails the release; nothing that serves changes', { timeout: 120_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const pushed = await p.pushFixture('rel', 'release-phase-fails', 'procfile');
  assert.notEqual(pushed.code, 0, pushed.out);
  assert.match(pushed.out, /migrating the database/);
  assert.match(pushed.out, /release command .* exited with status 2/);
  const [failed] = await releases(p, 'rel');
  assert.equal(failed?.status, 'failed');
  assert.deepEqual(await dynos(p, 'rel'), []);
  // The release phase's output stays with the release, for the dashboard and the API.
  assert.equal(failed.output_stream_url, `/apps/rel/releases/${String(failed.version)}/output`);
  const output = await p.h.request({ url: failed.output_stream_url });
  assert.equal(output.statusCode, 200);
  assert.match(output.body, /^Running release command `echo "migrating the database"; exit 2`\nmigrating the database\nThe release command .* exited with status 2/);
  assert.equal((await p.h.request({ url: '/apps/rel/releases/1/output' })).statusCode, 404);
});

test('a crashed process restarts at once, then with backoff visible in ps', { timeout: 120_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  assert.equal((await p.pushFixture('crashy', 'py-web', 'procfile')).code, 0);
  await p.get('crashy', '/exit').catch(() => undefined);
  await p.until('the first crash restarted at once', async () => (await p.get('crashy')).status === 200);
  await p.get('crashy', '/exit').catch(() => undefined);
  await p.until('the second crash waits for its backoff', async () => (await dynos(p, 'crashy')).some((d) => d.state === 'crashed' && d.restart_at !== undefined));
  await p.until('it comes back after the backoff', async () => (await p.get('crashy')).status === 200, 20_000);
  const logs = (await p.h.request({ url: '/apps/crashy/logs?lines=200&source=paas' })).body;
  assert.match(logs, /State changed from up to crashed/);
});

test('a process that ignores SIGTERM is killed after the grace period (R12)', { timeout: 120_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  assert.equal((await p.pushFixture('stubborn', 'ignores-sigterm', 'procfile')).code, 0);
  await p.h.send('DELETE', '/apps/stubborn/dynos');
  await p.until('the R12 line', async () => /Error R12 \(Exit timeout\)/.test((await p.h.request({ url: '/apps/stubborn/logs?lines=200' })).body), 20_000);
  await p.until('it serves again', async () => (await p.get('stubborn')).status === 200);
});
