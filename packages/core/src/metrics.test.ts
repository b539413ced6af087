import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  bucketUpperMs, emptyMinute, latencyBucket, mergeMinutes, metricsSeries, minuteOf, percentileMs, recordOccurrence, recordRequest, recordSample,
} from './metrics.js';

test('a percentile read back is within 10% above the true value', () => {
  let m = emptyMinute(0);
  for (let ms = 1; ms <= 1000; ms += 1) m = recordRequest(m, { status: 200, responseMs: ms });
  for (const [q, truth] of [[0.5, 500], [0.95, 950], [0.99, 990]] as const) {
    const got = percentileMs(m.latency, q);
    assert.ok(got !== null && got >= truth && got <= truth * 1.1, `p${String(q * 100)} = ${String(got)}`);
  }
});

test('buckets: 0–1 ms is bucket 0, each bound is the one before times 1.1', () => {
  assert.equal(latencyBucket(0), 0);
  assert.equal(latencyBucket(1), 0);
  assert.ok(bucketUpperMs(latencyBucket(100)) >= 100 && bucketUpperMs(latencyBucket(100) - 1) < 100);
  assert.equal(percentileMs({}, 0.5), null);
});

test('requests count by status class and error code; those with no process add no time', () => {
  let m = emptyMinute(0);
  m = recordRequest(m, { status: 200, responseMs: 5 });
  m = recordRequest(m, { status: 404, responseMs: 5 });
  m = recordRequest(m, { status: 503, errorCode: 'H14' });
  assert.equal(m.requests, 3);
  assert.deepEqual(m.statuses, { '2xx': 1, '4xx': 1, '5xx': 1 });
  assert.deepEqual(m.errors, { H14: 1 });
  assert.equal(Object.values(m.latency).reduce((a, b) => a + b, 0), 2);
});

test('samples: mean and max memory, R14 when over the quota', () => {
  let m = emptyMinute(0);
  m = recordSample(m, { name: 'web.1', memoryMb: 100, cpuPercent: 10, quotaMb: 512 });
  m = recordSample(m, { name: 'web.1', memoryMb: 600, cpuPercent: 30, quotaMb: 512 });
  m = recordOccurrence(recordOccurrence(m, 'crash'), 'restart');
  const [point] = metricsSeries([m], 0, 0, 60_000);
  assert.deepEqual(point?.memoryMb, { 'web.1': 350 });
  assert.deepEqual(point?.memoryMaxMb, { 'web.1': 600 });
  assert.deepEqual(point?.cpuPercent, { 'web.1': 20 });
  assert.equal(point?.r14, 1);
  assert.equal(point?.crashes, 1);
  assert.equal(point?.restarts, 1);
});

test('a series has every step, merging minutes within a step', () => {
  const a = recordRequest(emptyMinute(minuteOf(60_000)), { status: 200, responseMs: 10 });
  const b = recordRequest(emptyMinute(minuteOf(120_000)), { status: 200, responseMs: 10 });
  const points = metricsSeries([a, b], 0, 5 * 60_000, 2 * 60_000);
  assert.deepEqual(points.map((p) => p.requests), [1, 1, 0]);
  assert.equal(mergeMinutes(0, [a, b]).requests, 2);
  assert.equal(points[2]?.p50Ms, null);
});
