import assert from 'node:assert/strict';
import { test } from 'node:test';

import { retryDelay } from './retry-delay.js';

test('doubles from the first delay up to the longest, half of it jitter', () => {
  const policy = { initialMs: 500, maxMs: 30_000 };
  assert.deepEqual([0, 1, 2, 6, 7, 50].map((n) => retryDelay(n, policy, () => 1)), [500, 1000, 2000, 30_000, 30_000, 30_000]);
  assert.deepEqual([0, 1, 7].map((n) => retryDelay(n, policy, () => 0)), [250, 500, 15_000]);
});
