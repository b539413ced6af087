import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createFailureLimiter } from './failure-limiter.js';

test('20 failures pass, the 21st waits; the bucket refills at one a second', () => {
  let clock = 0;
  const limiter = createFailureLimiter({ now: () => clock });
  for (let i = 0; i < 20; i += 1) {
    assert.equal(limiter.retryAfter('1.2.3.4'), 0, `attempt ${String(i + 1)}`);
    limiter.fail('1.2.3.4');
  }
  assert.equal(limiter.retryAfter('1.2.3.4'), 1);
  assert.equal(limiter.retryAfter('5.6.7.8'), 0, 'other clients are not affected');
  clock += 1000;
  assert.equal(limiter.retryAfter('1.2.3.4'), 0);
  limiter.fail('1.2.3.4');
  assert.equal(limiter.retryAfter('1.2.3.4'), 1);
  clock += 60_000;
  assert.equal(limiter.retryAfter('1.2.3.4'), 0);
  assert.equal(limiter.size(), 0, 'a full bucket is forgotten');
});

test('memory stays bounded: the least recently failing clients are forgotten first', () => {
  const limiter = createFailureLimiter({ maxClients: 100, now: () => 0 });
  for (let i = 0; i < 10_000; i += 1) limiter.fail(`client-${String(i)}`);
  assert.equal(limiter.size(), 100);
});
