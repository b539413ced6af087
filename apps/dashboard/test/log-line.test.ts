import assert from 'node:assert/strict';
import { test } from 'node:test';

import { summarizeDynos } from '../src/dyno-summary.js';
import { logClock, parseLogFrame, parseLogText } from '../src/log-line.js';

test('log frames: lines and missed counts; anything else is ignored', () => {
  assert.deepEqual(parseLogFrame('{"type":"line","time":"2026-11-22T03:07:09.953Z","source":"app","process":"web.1","line":"<script>x</script>"}'), {
    type: 'line',
    time: '2026-11-22T03:07:09.953Z',
    source: 'app',
    process: 'web.1',
    line: '<script>x</script>',
  });
  assert.deepEqual(parseLogFrame('{"type":"missed","count":12}'), { type: 'missed', count: 12 });
  for (const junk of ['nope', '42', 'null', '{"type":"line"}', '{"type":"missed","count":"x"}', '{"type":"other"}']) {
    assert.equal(parseLogFrame(junk), undefined, junk);
  }
});

test('log text lines in Heroku format parse into their parts', () => {
  assert.deepEqual(parseLogText('2026-11-22T03:07:09.953Z app[release.1234]: migrating: done'), {
    time: '2026-11-22T03:07:09.953Z',
    source: 'app',
    process: 'release.1234',
    line: 'migrating: done',
  });
  assert.equal(parseLogText('garbage'), undefined);
  assert.equal(logClock('2026-11-22T03:07:09.953Z'), '03:07:09.953');
});

test('summarizeDynos counts states and picks the tone', () => {
  assert.deepEqual(summarizeDynos([]), { up: 0, starting: 0, crashed: 0, total: 0, tone: 'idle', text: 'no processes' });
  assert.equal(summarizeDynos([{ state: 'up' }, { state: 'up' }]).text, '2 up');
  assert.equal(summarizeDynos([{ state: 'up' }, { state: 'starting' }]).tone, 'warn');
  const mixed = summarizeDynos([{ state: 'up' }, { state: 'crashed' }, { state: 'starting' }]);
  assert.equal(mixed.text, '1 up, 1 starting, 1 crashed');
  assert.equal(mixed.tone, 'bad');
});
