import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createRestartBackoff } from './restart-backoff.js';

test('first crash restarts at once, then the wait doubles up to the cap; reset forgets', () => {
  const backoff = createRestartBackoff({ firstDelayMs: 1000, capMs: 5000 });
  const delays = [0, 1000, 2000, 4000, 5000, 5000].map(() => backoff.crashed('demo/web.1', 0));
  assert.deepEqual(delays, [0, 1000, 2000, 4000, 5000, 5000]);
  assert.equal(backoff.due('demo/web.1', 4999), false);
  assert.equal(backoff.due('demo/web.1', 5000), true);
  assert.equal(backoff.due('demo/worker.1', 0), true);
  backoff.reset('demo/');
  assert.equal(backoff.crashed('demo/web.1', 10), 10);
});
