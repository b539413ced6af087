import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { FormationEntry } from '@paas/core';

import type { ReleaseSpec } from './desired-state.js';
import type { OneOffSpec, ProcessSpec } from './driver.js';
import type { FakeDriverOptions, FakeProgram } from './drivers/fake.js';
import { createFakeDriver } from './drivers/fake.js';
import type { AppLogLine, Backend, DeployResult } from './manager-types.js';
import { createProcessManager } from './process-manager.js';

/**
 * Deploys and process states with the fake driver: every way a release can end, R10,
 * R12 and crash backoff, in milliseconds rather than minutes.
 */
const spec = (version: number, command = 'serve', slug = 'good'): ReleaseSpec => ({
  version,
  slug: { checksum: slug.padEnd(64, '0'), path: `/slugs/${slug}.tgz` },
  processTypes: { web: command },
  configVars: {},
  commit: null,
});

interface Rig {
  readonly driver: ReturnType<typeof createFakeDriver>;
  readonly logs: AppLogLine[];
  routes(): readonly Backend[];
  current(): number | null;
  deploy(release: ReleaseSpec): Promise<DeployResult>;
  say(): string;
}

function rig(t: TestContext, programs: Readonly<Record<string, FakeProgram>>, extra: Partial<FakeDriverOptions> & { web?: number; bootTimeoutMs?: number } = {}): Rig {
  const program = (s: ProcessSpec | OneOffSpec): FakeProgram => programs[s.command] ?? { bindsAfterMs: 0 };
  const driver = createFakeDriver({ program, ...(extra.prepareError ? { prepareError: extra.prepareError } : {}) });
  const releases = new Map<number, ReleaseSpec>();
  let current: ReleaseSpec | null = null;
  let routes: readonly Backend[] = [];
  const logs: AppLogLine[] = [];
  const formation: FormationEntry[] = [{ type: 'web', quantity: extra.web ?? 1, size: 'standard' }];
  const manager = createProcessManager({
    driver,
    desired: {
      apps: () => ['a'],
      app: (name) => (name === 'a' ? { app: 'a', current, formation } : undefined),
      release: (_app, version) => releases.get(version),
      formation: () => formation,
    },
    onRoutes: (_app, backends) => (routes = backends),
    onLog: (line) => logs.push(line),
    probe: (address) => driver.accepts(address),
    bootTimeoutMs: extra.bootTimeoutMs ?? 300,
    graceMs: 100,
    intervalMs: 3_600_000,
    backoff: { firstDelayMs: 50, capMs: 200 },
  });
  t.after(() => manager.close());
  void manager.start();
  return {
    driver,
    logs,
    routes: () => routes,
    current: () => current?.version ?? null,
    deploy(release) {
      releases.set(release.version, release);
      return manager.deploy('a', release.version, undefined, (outcome) => {
        if (outcome.ok) current = release;
      });
    },
    say: () => logs.map((l) => `${l.process}: ${l.line}`).join('\n'),
  };
}

const until = async (what: string, check: () => boolean, ms = 2_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
};

test('a release goes live when its web processes bind; the old ones stop after the switch', async (t) => {
  const r = rig(t, { slow: { bindsAfterMs: 40 } }, { web: 2 });
  assert.deepEqual(await r.deploy(spec(2)), { ok: true });
  assert.deepEqual(await r.deploy(spec(3, 'slow')), { ok: true });
  assert.equal(r.current(), 3);
  await until('the old processes stopped', () => r.driver.stopped.length === 2);
  assert.deepEqual(r.driver.stopped.sort(), ['web.1@v2', 'web.2@v2']);
  assert.deepEqual(r.routes().map((b) => b.name).sort(), ['web.1', 'web.2']);
});

test('a process that cannot be spawned fails the release at once, with the reason; the next release proceeds', async (t) => {
  const r = rig(t, { broken: { startError: 'spawn bash ENOENT' } }, { bootTimeoutMs: 60_000 });
  assert.deepEqual(await r.deploy(spec(2)), { ok: true });
  const began = Date.now();
  const failed = await r.deploy(spec(3, 'broken'));
  assert.equal(failed.ok, false);
  assert.ok(Date.now() - began < 1_000, 'failed without waiting for the boot timeout');
  assert.equal(failed.message, 'web.1 could not be started: spawn bash ENOENT: v3 was not deployed and v2 keeps serving. See `paas logs`.');
  assert.match(r.say(), /web\.1: Error: process could not be started: spawn bash ENOENT/);
  assert.equal(r.current(), 2);
  assert.deepEqual(await r.deploy(spec(4)), { ok: true });
  assert.equal(r.current(), 4);
});

test('a slug that cannot be unpacked fails the release with the reason', async (t) => {
  const r = rig(t, {}, { prepareError: (slug) => (slug.path.includes('loop') ? 'the slug has a symlink loop at app/a' : undefined) });
  assert.deepEqual(await r.deploy(spec(2)), { ok: true });
  const failed = await r.deploy(spec(3, 'serve', 'loop'));
  assert.equal(failed.ok, false);
  assert.match(failed.message ?? '', /could not be started: the slug has a symlink loop at app\/a: v3 was not deployed and v2 keeps serving/);
  assert.deepEqual(await r.deploy(spec(4)), { ok: true });
});

test('a first release that fails claims nothing serves', async (t) => {
  const r = rig(t, { crash: { exitsAfterMs: 5, exitCode: 127, output: ['bash: node: command not found'] } });
  const failed = await r.deploy(spec(2, 'crash'));
  assert.equal(failed.message, 'web.1 exited with status 127: v2 was not deployed and the app has no release running. See `paas logs`.');
  assert.doesNotMatch(failed.message ?? '', /keeps serving/);
});

test('R10: a web process that never binds fails the release within the boot timeout', async (t) => {
  const r = rig(t, { deaf: {} }, { bootTimeoutMs: 150 });
  assert.deepEqual(await r.deploy(spec(2)), { ok: true });
  const began = Date.now();
  const failed = await r.deploy(spec(3, 'deaf'));
  assert.ok(Date.now() - began < 150 + 2_000, 'judged by the deadline at the latest');
  assert.match(failed.message ?? '', /^web\.1 did not bind \$PORT within 0\.15 seconds: v3 was not deployed and v2 keeps serving/);
  assert.match(r.say(), /Error R10 \(Boot timeout\)/);
  assert.deepEqual(r.routes().map((b) => b.name), ['web.1']);
  assert.equal(r.current(), 2);
});

test('R12: a process that ignores SIGTERM is killed after the grace period, and it is said', async (t) => {
  const r = rig(t, { stubborn: { bindsAfterMs: 0, ignoresSigterm: true } });
  assert.deepEqual(await r.deploy(spec(2, 'stubborn')), { ok: true });
  assert.deepEqual(await r.deploy(spec(3)), { ok: true });
  await until('the old process killed', () => r.driver.stopped.includes('web.1@v2!'));
  await until('R12 said', () => /Error R12 \(Exit timeout\)/.test(r.say()));
});

test('a crashing process restarts at once the first time, then with backoff', async (t) => {
  const r = rig(t, { flaky: { bindsAfterMs: 0, exitsAfterMs: 30 } }, { bootTimeoutMs: 10_000 });
  assert.deepEqual(await r.deploy(spec(2, 'flaky')), { ok: true });
  await until('three starts', () => r.driver.started.length >= 4, 3_000);
  const crashed = r.logs.filter((l) => l.line === 'State changed from up to crashed').length;
  assert.ok(crashed >= 3, `${String(crashed)} crashes seen`);
  assert.match(r.say(), /Process exited with status 1/);
});
