import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';

import type { ProcessInfo } from '@paas/runtime';
import { createStore } from '@paas/store';

import { createLogger } from '../src/logger.js';
import { createMetricsRecorder } from '../src/metrics/metrics-recorder.js';

const entry = (status: number, serviceMs: number) => ({ method: 'GET', path: '/', host: 'web.example.test', requestId: 'r', fwd: '127.0.0.1', dyno: 'web.1', connectMs: 0, serviceMs, status, bytes: 2 });
const web: ProcessInfo = { id: 'p1', app: 'web', release: 2, type: 'web', index: 1, name: 'web.1', status: 'running', address: { host: '127.0.0.1', port: 1 }, startedAt: new Date(0).toISOString() };

test('minutes survive a restart, a restart adds to the minute it left, and nothing older than 24 hours is kept', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-metrics-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const logger = createLogger('silent', new PassThrough());
  let clock = Date.parse('2026-12-06T10:00:30Z');
  const open = () => {
    const store = createStore({ dataDir: dir });
    const recorder = createMetricsRecorder({ store, logger, processes: async () => [], now: () => clock });
    return { store, recorder };
  };

  let { store, recorder } = open();
  store.apps.create('web', 'test');
  for (let i = 0; i < 10; i += 1) recorder.request('web', entry(200, 10));
  recorder.request('web', entry(502, 5));
  recorder.processEvent({ app: 'web', release: 2, name: 'web.1', type: 'web', kind: 'crashed', code: 1, signal: null, oom: false });
  recorder.flush();
  store.close();

  ({ store, recorder } = open());
  recorder.request('web', entry(200, 10));
  const [point] = recorder.series('web', clock - 30_000, clock, 60_000);
  assert.equal(point?.requests, 12);
  assert.deepEqual(point.statuses, { '2xx': 11, '5xx': 1 });
  assert.equal(point.crashes, 1);
  assert.ok(point.p50Ms !== null && point.p50Ms >= 10 && point.p50Ms <= 11);
  recorder.flush();

  clock += 25 * 3_600_000;
  recorder.request('web', entry(200, 1));
  recorder.flush();
  const appId = store.apps.require('web').id;
  assert.deepEqual(store.metrics.minutes(appId, 0).map((m) => m.requests), [1]);
  store.close();
});

test('requests counted in place land in the minute they were made, across a minute boundary', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-metrics-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = createStore({ dataDir: dir });
  t.after(() => store.close());
  store.apps.create('web', 'test');
  let clock = Date.parse('2026-12-06T10:00:50Z');
  const recorder = createMetricsRecorder({ store, logger: createLogger('silent', new PassThrough()), processes: async () => [], now: () => clock });
  for (let i = 0; i < 3; i += 1) recorder.request('web', entry(200, 10));
  clock += 20_000;
  recorder.request('web', { ...entry(503, 0), error: { code: 'H12', desc: 'Request timeout' } });
  const points = recorder.series('web', Date.parse('2026-12-06T10:00:00Z'), clock, 60_000);
  assert.deepEqual(points.map((p) => p.requests), [3, 1]);
  assert.deepEqual(points.map((p) => p.errors), [{}, { H12: 1 }]);
  recorder.flush();
  const appId = store.apps.require('web').id;
  assert.deepEqual(store.metrics.minutes(appId, 0).map((m) => [m.requests, m.statuses]), [[3, { '2xx': 3 }], [1, { '5xx': 1 }]]);
});

test('samples give memory, CPU between samples, and R14 over the size\'s quota', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-metrics-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = createStore({ dataDir: dir });
  t.after(() => store.close());
  store.apps.create('web', 'test');
  let clock = 60_000;
  let cpuSeconds = 0;
  const recorder = createMetricsRecorder({
    store,
    logger: createLogger('silent', new PassThrough()),
    processes: async () => [web],
    usage: async () => ({ memoryMb: 600, cpuSeconds }),
    quotaMb: () => 512,
    now: () => clock,
  });
  await recorder.sample();
  clock += 10_000;
  cpuSeconds += 5; // half a core over ten seconds
  await recorder.sample();
  const [point] = recorder.series('web', 60_000, clock, 60_000);
  assert.deepEqual(point?.memoryMb, { 'web.1': 600 });
  assert.equal(point.cpuPercent['web.1'], 25); // the mean of 0 % (since start) and 50 %
  assert.equal(point.r14, 2);
});
