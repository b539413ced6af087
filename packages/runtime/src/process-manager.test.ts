import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { FormationEntry } from '@paas/core';

import type { ReleaseSpec } from './desired-state.js';
import type { ProcessInfo, RuntimeDriver } from './driver.js';
import type { AppLogLine, Backend } from './manager-types.js';
import { createProcessManager } from './process-manager.js';
import { acceptsConnections } from './readiness.js';

const release = (version: number): ReleaseSpec => ({
  version,
  slug: { checksum: 'c'.repeat(64), path: '/nonexistent.tgz' },
  processTypes: { web: 'node server.js' },
  configVars: { GREETING: `v${String(version)}` },
  commit: null,
});
const FORMATION: readonly FormationEntry[] = [{ type: 'web', quantity: 1, size: 'standard' }];

/** A driver whose listings can be held: the listing is taken when asked, answered when let go. */
function heldListingDriver() {
  const running = new Map<string, ProcessInfo>();
  const stops: string[] = [];
  let count = 0;
  let hold: Promise<void> | undefined;
  const held = { listings: 0 };
  const driver: RuntimeDriver = {
    name: 'local',
    prepare: () => Promise.resolve(),
    start(spec) {
      count += 1;
      const info: ProcessInfo = {
        id: `p${String(count)}`,
        app: spec.app,
        release: spec.release,
        type: spec.type,
        index: spec.index,
        name: `${spec.type}.${String(spec.index)}`,
        status: 'running',
        address: { host: '127.0.0.1', port: 5000 + count },
        startedAt: new Date().toISOString(),
      };
      running.set(info.id, info);
      return Promise.resolve(info);
    },
    stop(id) {
      stops.push(id);
      running.delete(id);
      return Promise.resolve({ killed: false });
    },
    async list() {
      const listing = [...running.values()];
      if (hold) {
        held.listings += 1;
        await hold;
      }
      return listing;
    },
    run: () => Promise.reject(new Error('not used')),
    subscribe: () => () => undefined,
    close: () => Promise.resolve(),
  };
  return {
    driver,
    stops,
    held,
    holdListings(): () => void {
      let letGo: () => void = () => undefined;
      hold = new Promise((resolve) => (letGo = resolve));
      return () => {
        hold = undefined;
        letGo();
      };
    },
  };
}

test('a listing taken before a replaced process was removed does not bring it back to be stopped again', async () => {
  const fake = heldListingDriver();
  let current = release(1);
  let routes: readonly Backend[] = [];
  const logs: AppLogLine[] = [];
  let letDrainEnd: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => (letDrainEnd = resolve));
  let letListingsGo: (() => void) | undefined;
  const manager = createProcessManager({
    driver: fake.driver,
    desired: {
      apps: () => ['a'],
      app: (name) => (name === 'a' ? { app: 'a', current, formation: FORMATION } : undefined),
      release: (_app, version) => release(version),
      formation: () => FORMATION,
    },
    onRoutes: (_app, backends) => {
      routes = backends;
      // Once the new release serves, listings are held: the next one sees the old process still there.
      if (backends.some((b) => b.id === 'p2')) letListingsGo ??= fake.holdListings();
    },
    onLog: (line) => logs.push(line),
    probe: () => Promise.resolve(true),
    drain: () => drained,
    intervalMs: 3_600_000,
  });
  await manager.start();
  for (let i = 0; i < 100 && routes.length === 0; i += 1) await sleep(10);
  assert.deepEqual(routes.map((b) => b.id), ['p1']);

  const outcome = await manager.deploy('a', 2, undefined, (result) => {
    if (result.ok) current = release(2);
  });
  assert.deepEqual(outcome, { ok: true });
  for (let i = 0; i < 100 && fake.held.listings === 0; i += 1) await sleep(10);
  assert.deepEqual(routes.map((b) => b.id), ['p2']);
  // A convergence is now waiting for its listing, which still shows p1 (draining), when p1 goes.
  assert.equal(fake.held.listings, 1);
  letDrainEnd();
  for (let i = 0; i < 100 && fake.stops.length === 0; i += 1) await sleep(10);
  await sleep(10);
  assert.ok(letListingsGo);
  letListingsGo();
  await manager.converge('a');
  await manager.converge('a');

  assert.deepEqual(fake.stops, ['p1'], 'p1 stopped once');
  assert.equal(logs.filter((l) => l.line.startsWith('Stopping process')).length, 1);
  assert.deepEqual(manager.status('a').map((s) => [s.name, s.release, s.state]), [['web.1', 2, 'up']]);
  assert.deepEqual(routes.map((b) => b.id), ['p2']);
  await manager.close();
});

test('an app destroyed while a stop fails once, or while one is under way, has no process left when removeApp returns', async () => {
  const fake = heldListingDriver();
  const stop = fake.driver.stop.bind(fake.driver);
  let failures = 1;
  fake.driver.stop = (id, options) => {
    if (id === 'p1' && failures > 0) {
      failures -= 1;
      return Promise.reject(new Error('the engine did not answer'));
    }
    return stop(id, options);
  };
  let apps = ['a', 'b'];
  let formationOfB = FORMATION;
  let letDrainEnd: () => void = () => undefined;
  let routes = new Map<string, readonly Backend[]>();
  const manager = createProcessManager({
    driver: fake.driver,
    desired: {
      apps: () => apps,
      app: (name) => (apps.includes(name) ? { app: name, current: release(1), formation: name === 'b' ? formationOfB : FORMATION } : undefined),
      release: (_app, version) => release(version),
      formation: (app) => (app === 'b' ? formationOfB : FORMATION),
    },
    onRoutes: (app, backends) => (routes = new Map([...routes, [app, backends]])),
    onLog: () => undefined,
    onError: () => undefined,
    probe: () => Promise.resolve(true),
    drain: (id) => (id === 'p2' ? new Promise<void>((resolve) => (letDrainEnd = resolve)) : Promise.resolve()),
    intervalMs: 3_600_000,
  });
  await manager.start();
  for (let i = 0; i < 100 && (routes.get('a')?.length !== 1 || routes.get('b')?.length !== 1); i += 1) await sleep(10);
  assert.deepEqual([routes.get('a')?.[0]?.id, routes.get('b')?.[0]?.id].sort(), ['p1', 'p2']);

  // a: its first stop fails; removeApp tries again rather than answer with p1 still running.
  apps = ['b'];
  await manager.removeApp('a');
  assert.ok(!(await fake.driver.list()).some((p) => p.app === 'a'), "a's process is gone when removeApp returns");

  // b: scaled to 0, its stop waits on the drain; removeApp waits for that stop to end.
  formationOfB = [{ type: 'web', quantity: 0, size: 'standard' }];
  await manager.scaled('b');
  apps = [];
  let removed = false;
  const removing = manager.removeApp('b').then(() => (removed = true));
  await sleep(50);
  assert.equal(removed, false, 'removeApp waits for the stop under way');
  letDrainEnd();
  await removing;
  assert.deepEqual(await fake.driver.list(), [], 'nothing left running');
  await manager.close();
});

/** A port nothing listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

test('a booting web process is routed at the first probe after it binds, probed every few ms until then', async (t) => {
  const port = await freePort();
  const BIND_AFTER_MS = 300;
  const server = createServer((socket) => socket.destroy());
  t.after(() => server.close());
  const running: ProcessInfo[] = [];
  const driver: RuntimeDriver = {
    name: 'local',
    prepare: () => Promise.resolve(),
    start(spec) {
      // The "process" binds its port a while after it was started, as an app does once booted.
      setTimeout(() => server.listen(port, '127.0.0.1', () => (boundAt = performance.now())), BIND_AFTER_MS);
      const info: ProcessInfo = { id: 'p1', app: spec.app, release: spec.release, type: spec.type, index: spec.index, name: 'web.1', status: 'running', address: { host: '127.0.0.1', port }, startedAt: new Date().toISOString() };
      running.push(info);
      return Promise.resolve(info);
    },
    stop: () => Promise.resolve({ killed: false }),
    list: () => Promise.resolve([...running]),
    run: () => Promise.reject(new Error('not used')),
    subscribe: () => () => undefined,
    close: () => Promise.resolve(),
  };
  let boundAt: number | undefined;
  let routedAt: number | undefined;
  const probesStarted: number[] = [];
  const manager = createProcessManager({
    driver,
    desired: {
      apps: () => ['a'],
      app: (name) => (name === 'a' ? { app: 'a', current: release(1), formation: FORMATION } : undefined),
      release: (_app, version) => release(version),
      formation: () => FORMATION,
    },
    onRoutes: (_app, backends) => {
      if (backends.length > 0) routedAt ??= performance.now();
    },
    onLog: () => undefined,
    probe: (address) => {
      probesStarted.push(performance.now());
      return acceptsConnections(address);
    },
    intervalMs: 3_600_000,
  });
  t.after(() => manager.close());
  await manager.start();
  for (let i = 0; i < 500 && routedAt === undefined; i += 1) await sleep(10);
  assert.ok(boundAt !== undefined && routedAt !== undefined, 'bound and routed');
  const bound = boundAt;
  const before = probesStarted.filter((at) => at < bound).length;
  assert.equal(probesStarted.length - before, 1, 'one probe after binding: the one that found it');
  // Paced by probePauseMs: every 2 ms at first, every ~7 ms by 300 ms (about 90 probes),
  // where pauses doubling to 25 ms made 14; and never a busy loop.
  assert.ok(before >= 25 && before <= BIND_AFTER_MS / 2, `${String(before)} probes before it bound`);
  await manager.close();
});
