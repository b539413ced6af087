import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';

import { createTokenStreams } from './token-streams.js';

test('revoking a token ends the streams it opened, and only those', () => {
  const streams = createTokenStreams();
  const ended: string[] = [];
  streams.hold('a', null, () => ended.push('a1'));
  streams.hold('a', null, () => ended.push('a2'));
  const doneB = streams.hold('b', null, () => ended.push('b1'));
  assert.equal(streams.size(), 3);
  assert.equal(streams.endAll('a'), 2);
  assert.deepEqual(ended, ['a1', 'a2']);
  doneB();
  assert.equal(streams.endAll('b'), 0);
  assert.equal(streams.size(), 0);
});

test('a stream ends when its token expires; one opened with an expired token ends at once', async () => {
  const streams = createTokenStreams();
  const ended: string[] = [];
  streams.hold('a', new Date(Date.now() + 30).toISOString(), () => ended.push('soon'));
  streams.hold('b', new Date(Date.now() - 1).toISOString(), () => ended.push('past'));
  assert.deepEqual(ended, ['past']);
  await sleep(80);
  assert.deepEqual(ended, ['past', 'soon']);
  assert.equal(streams.size(), 0);
});

test("taking an app away from a user ends that user's streams of that app only", () => {
  const streams = createTokenStreams();
  const ended: string[] = [];
  streams.hold('t1', null, () => ended.push('dev shop'), { userId: 'dev', app: 'shop' });
  streams.hold('t1', null, () => ended.push('dev blog'), { userId: 'dev', app: 'blog' });
  streams.hold('t2', null, () => ended.push('ops shop'), { userId: 'ops', app: 'shop' });
  assert.equal(streams.endFor('dev', 'shop'), 1);
  assert.deepEqual(ended, ['dev shop']);
  assert.equal(streams.size(), 2);
});
