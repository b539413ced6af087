import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createDrainBuffer } from './drain-buffer.js';

const clock = (...times: string[]) => {
  let i = 0;
  return () => new Date(times[Math.min(i++, times.length - 1)] ?? 0);
};

test('keeps order and drops the oldest past the line bound', () => {
  const buffer = createDrainBuffer<number>({ maxLines: 3, now: clock('2026-11-22T03:07:09.953Z', '2026-11-22T04:00:00.000Z') });
  for (let i = 1; i <= 5; i += 1) buffer.push(i, 1);
  assert.equal(buffer.length, 3);
  assert.equal(buffer.dropped, 2);
  assert.deepEqual([buffer.shift(), buffer.shift()], [3, 4]);
  buffer.push(6, 1);
  buffer.push(7, 1);
  assert.deepEqual([buffer.shift(), buffer.shift(), buffer.shift(), buffer.shift()], [5, 6, 7, undefined]);
  assert.equal(buffer.takeOverflowReport(), 'Error L10 (output buffer overflow): 2 messages dropped since 2026-11-22T03:07:09.953Z.');
  assert.equal(buffer.takeOverflowReport(), undefined, 'said once');
});

test('drops the oldest past the byte bound', () => {
  const buffer = createDrainBuffer<string>({ maxLines: 100, maxBytes: 10 });
  buffer.push('a', 4);
  buffer.push('b', 4);
  buffer.push('c', 4);
  assert.equal(buffer.length, 2);
  assert.equal(buffer.bytes, 8);
  assert.equal(buffer.peekBytes(), 4);
  assert.equal(buffer.shift(), 'b');
  buffer.push('huge', 11);
  assert.equal(buffer.length, 1, 'an entry over the bound alone is dropped, not the others');
  assert.equal(buffer.dropped, 2);
});

test('a new report starts from the next drop', () => {
  const buffer = createDrainBuffer<number>({ maxLines: 1, now: clock('2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z') });
  buffer.push(1, 1);
  buffer.push(2, 1);
  buffer.push(3, 1);
  assert.match(buffer.takeOverflowReport() ?? '', /: 2 messages dropped since 2026-01-01T00:00:00\.000Z\.$/);
  buffer.push(4, 1);
  assert.match(buffer.takeOverflowReport() ?? '', /: 1 messages dropped since 2026-01-02T00:00:00\.000Z\.$/);
  assert.equal(buffer.dropped, 3);
});

test('defaults to 50,000 lines and 8 MiB', () => {
  const buffer = createDrainBuffer<number>();
  for (let i = 0; i < 50_001; i += 1) buffer.push(i, 1);
  assert.equal(buffer.length, 50_000);
  const bytes = createDrainBuffer<number>();
  for (let i = 0; i < 9; i += 1) bytes.push(i, 1024 * 1024);
  assert.equal(bytes.length, 8);
});
