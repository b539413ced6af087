import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { MetricsPoint } from '@paas/core';

import { formatScorecard } from './commands/twelve-factor.js';
import { formatMetricsSummary, sparkline } from './metrics-summary.js';

const point: MetricsPoint = {
  time: '2026-12-06T10:00:00.000Z', requests: 105, statuses: { '2xx': 100, '4xx': 5 }, errors: { H12: 1 },
  p50Ms: 2.1, p95Ms: 313.8, p99Ms: 345.2, memoryMb: { 'web.1': 45.5 }, memoryMaxMb: { 'web.1': 60 }, cpuPercent: { 'web.1': 3 },
  restarts: 1, crashes: 0, r14: 0, r12: 0,
};

test('the summary shows counts, percentiles, memory and releases', () => {
  const lines = formatMetricsSummary(point, { since: '', until: '', step_seconds: 60, points: [point, { ...point, requests: 0 }], releases: [{ version: 4, description: 'Deploy', created_at: '2026-12-06T10:02:00.000Z' }] });
  assert.deepEqual(lines, [
    'Requests:      105 (2xx 100 · 4xx 5)',
    'Per step:      █▁  (1 min steps, most 105)',
    'Errors:        H12 1',
    'Response time: p50 2.1 ms · p95 313.8 ms · p99 345.2 ms',
    'Memory:        web.1 45.5 MB (max 60 MB)',
    'CPU:           web.1 3 %',
    'Events:        1 restarts · 0 crashes · 0 R14 · 0 R12',
    'Releases:      v4 10:02',
  ]);
  assert.equal(sparkline([0, 0]), '▁▁');
});

test('the scorecard puts the fix under a warning', () => {
  assert.deepEqual(formatScorecard([
    { factor: 'II', name: 'Dependencies', verdict: 'meets', evidence: 'Lockfile package-lock.json.' },
    { factor: 'IX', name: 'Disposability', verdict: 'warns', evidence: 'web.1 was killed (R12).', fix: 'Handle SIGTERM.' },
  ]), [
    '✓ II Dependencies   meets         Lockfile package-lock.json.',
    '! IX Disposability  warns         web.1 was killed (R12).',
    '                                  Fix: Handle SIGTERM.',
  ]);
});
