import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { LogEvent } from './log-event.js';
import { LogRing } from './log-ring.js';

/** Deterministic lines of every length up to a few KB, some with multi-byte characters (whole code points: lines come from UTF-8). */
function eventAt(n: number): LogEvent {
  const length = (n * 7919) % 3000;
  const unit = n % 5 === 0 ? 'é✓😀' : 'ab';
  return {
    time: new Date(Date.UTC(2026, 11, 7, 0, 0, 0, n)).toISOString(),
    source: n % 3 === 0 ? 'app' : 'paas',
    process: n % 4 === 0 ? `web.${String(n % 10)}` : 'router',
    line: `${String(n)} ${Array.from(unit.repeat(length)).slice(0, length).join('')}`,
  };
}

test('keeps the newest lines, oldest first, exactly as pushed, through growth and compaction', () => {
  const capacity = 50;
  const ring = new LogRing(capacity);
  const model: LogEvent[] = [];
  assert.deepEqual(ring.toArray(), []);
  for (let n = 0; n < 2_000; n += 1) {
    const event = eventAt(n);
    ring.push(event);
    model.push(event);
    if (model.length > capacity) model.shift();
    assert.equal(ring.size, model.length);
    // Every few pushes, and at each edge: the whole content, compared line by line.
    if (n % 37 === 0 || n < 3 || n === capacity - 1 || n === capacity) assert.deepEqual(ring.toArray(), model, `after push ${String(n)}`);
  }
  assert.deepEqual(ring.toArray(), model);
});

test('a ring of one keeps the last line; empty lines and a line far larger than the buffer are kept too', () => {
  const one = new LogRing(1);
  one.push(eventAt(1));
  one.push({ ...eventAt(2), line: '' });
  assert.deepEqual(one.toArray(), [{ ...eventAt(2), line: '' }]);
  const big = { ...eventAt(3), line: 'x'.repeat(100_000) };
  one.push(big);
  assert.deepEqual(one.toArray(), [big]);
  assert.throws(() => new LogRing(0), RangeError);
});
