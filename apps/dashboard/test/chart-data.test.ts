import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chartData } from '../src/chart-data.js';
import type { MetricsPoint } from '../src/types.js';

const point = (time: string, change: Partial<MetricsPoint>): MetricsPoint => ({
  time, requests: 0, statuses: {}, errors: {}, p50Ms: null, p95Ms: null, p99Ms: null,
  memoryMb: {}, memoryMaxMb: {}, cpuPercent: {}, restarts: 0, crashes: 0, r14: 0, r12: 0, ...change,
});

test('charts: requests by status class, percentiles, memory and CPU per process, releases on the time axis', () => {
  const data = chartData({
    since: '2026-12-06T10:00:00.000Z',
    until: '2026-12-06T10:02:00.000Z',
    step_seconds: 60,
    points: [
      point('2026-12-06T10:00:00.000Z', { requests: 3, statuses: { '2xx': 2, '5xx': 1 }, p50Ms: 2, p95Ms: 30, p99Ms: 31, memoryMb: { 'web.1': 40 }, cpuPercent: { 'web.1': 5 } }),
      point('2026-12-06T10:01:00.000Z', { memoryMb: { 'web.1': 41, 'web.2': 38 }, restarts: 1 }),
    ],
    releases: [{ version: 7, description: 'Deploy', created_at: '2026-12-06T10:00:30.000Z' }],
  });
  assert.deepEqual(data.times, [Date.parse('2026-12-06T10:00:00Z') / 1000, Date.parse('2026-12-06T10:01:00Z') / 1000]);
  const [requests, latency, memory, cpu] = data.charts;
  assert.deepEqual(requests?.series.map((s) => [s.label, s.values]), [['2xx', [2, 0]], ['3xx', [0, 0]], ['4xx', [0, 0]], ['5xx', [1, 0]]]);
  assert.equal(requests.summary, '3 requests (2xx 2 · 5xx 1); 1 restarts, 0 crashes.');
  assert.deepEqual(latency?.series.map((s) => s.values), [[2, null], [30, null], [31, null]]);
  assert.deepEqual(memory?.series.map((s) => [s.label, s.values]), [['web.1', [40, 41]], ['web.2', [null, 38]]]);
  assert.equal(memory.summary, 'web.1 up to 41 MB · web.2 up to 38 MB');
  assert.equal(cpu?.summary, 'web.1 up to 5 %');
  assert.deepEqual([data.start, data.end], [Date.parse('2026-12-06T10:00:00Z') / 1000, Date.parse('2026-12-06T10:02:00Z') / 1000]);
  assert.deepEqual(data.releases, [{ label: 'v7', at: Date.parse('2026-12-06T10:00:30Z') / 1000 }]);
});
