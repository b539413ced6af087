import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Drain, DrainReports, DrainTarget } from './drain.js';
import type { LogEvent } from './log-event.js';
import { createLogRouter } from './log-router.js';
import type { LogStreamMessage } from './log-stream-message.js';

/** A drain that records what it is given, for checking the router's fan-out. */
function recordingDrains() {
  const made: { target: DrainTarget; reports: DrainReports; events: LogEvent[]; closed: boolean }[] = [];
  const createDrain = (target: DrainTarget, reports: DrainReports): Drain => {
    const entry = { target, reports, events: [] as LogEvent[], closed: false };
    made.push(entry);
    return {
      id: target.id,
      push: (event) => entry.events.push(event),
      stats: () => ({ delivered: entry.events.length, dropped: 0, queued: 0 }),
      close: async () => {
        entry.closed = true;
      },
    };
  };
  return { made, createDrain };
}

const drain = (id: string, url = `syslog://logs.example.com:514/${id}`): DrainTarget => ({ id, app: 'demo', url, token: `d.${id}` });

describe('log router', () => {
  it('keeps the newest lines of each app, filtered by process type, process and source', () => {
    const router = createLogRouter({ linesKept: 4, createDrain: recordingDrains().createDrain });
    router.publish('demo', { source: 'app', process: 'web.1', line: 'one' });
    router.publish('demo', { source: 'app', process: 'worker.1', line: 'two' });
    router.publish('demo', { source: 'paas', process: 'router', line: 'three' });
    router.publish('demo', { source: 'app', process: 'web.2', line: 'four' });
    router.publish('demo', { source: 'app', process: 'webhook.1', line: 'five' });
    router.publish('other', { source: 'app', process: 'web.1', line: 'elsewhere' });
    assert.deepEqual(router.recent('demo', 10).map((e) => e.line), ['two', 'three', 'four', 'five']);
    assert.deepEqual(router.recent('demo', 2).map((e) => e.line), ['four', 'five']);
    assert.deepEqual(router.recent('demo', 10, { ps: 'web' }).map((e) => e.line), ['four']);
    assert.deepEqual(router.recent('demo', 10, { ps: 'web.2' }).map((e) => e.line), ['four']);
    assert.deepEqual(router.recent('demo', 10, { source: 'paas' }).map((e) => e.line), ['three']);
    assert.deepEqual(router.recent('demo', 0), []);
    assert.deepEqual(router.recent('nobody', 10), []);
  });

  it('splits a line over 10,000 bytes into pieces that keep every byte', () => {
    const router = createLogRouter({ createDrain: recordingDrains().createDrain });
    const line = 'é'.repeat(12_000);
    router.publish('demo', { source: 'app', process: 'web.1', line });
    const pieces = router.recent('demo', 10).map((e) => e.line);
    assert.equal(pieces.length, 3);
    assert.ok(pieces.every((piece) => Buffer.byteLength(piece) <= 10_000));
    assert.equal(pieces.join(''), line);
  });

  it('sends live lines to the readers whose filter they pass', () => {
    const router = createLogRouter({ createDrain: recordingDrains().createDrain });
    const web: LogStreamMessage[] = [];
    const paas: LogStreamMessage[] = [];
    router.subscribe('demo', { ps: 'web' }, { send: (m) => web.push(m), backlog: () => 0 });
    const subscription = router.subscribe('demo', { source: 'paas' }, { send: (m) => paas.push(m), backlog: () => 0 });
    router.publish('demo', { source: 'app', process: 'web.1', line: 'hello' });
    router.publish('demo', { source: 'paas', process: 'api', line: 'Release v2 created' });
    subscription.close();
    router.publish('demo', { source: 'paas', process: 'api', line: 'after close' });
    assert.deepEqual(web.map((m) => (m.type === 'line' ? m.line : m.count)), ['hello']);
    assert.deepEqual(paas.map((m) => (m.type === 'line' ? m.line : m.count)), ['Release v2 created']);
  });

  it('tells a slow reader how many lines it missed, without holding up the others', () => {
    const router = createLogRouter({ subscriberBacklogLimit: 100, createDrain: recordingDrains().createDrain });
    let backlog = 0;
    const slow: LogStreamMessage[] = [];
    const fast: LogStreamMessage[] = [];
    router.subscribe('demo', {}, { send: (m) => slow.push(m), backlog: () => backlog });
    router.subscribe('demo', {}, { send: (m) => fast.push(m), backlog: () => 0 });
    router.publish('demo', { source: 'app', process: 'web.1', line: 'a' });
    backlog = 1000;
    for (let i = 0; i < 7; i += 1) router.publish('demo', { source: 'app', process: 'web.1', line: `lost ${String(i)}` });
    backlog = 0;
    router.publish('demo', { source: 'app', process: 'web.1', line: 'b' });
    assert.deepEqual(slow, [
      { type: 'line', ...router.recent('demo', 9)[0] },
      { type: 'missed', count: 7 },
      { type: 'line', ...router.recent('demo', 1)[0] },
    ]);
    assert.equal(fast.length, 9);
  });

  it('fans every line out to the app drains, starting and stopping them as the list changes', async () => {
    const { made, createDrain } = recordingDrains();
    const router = createLogRouter({ createDrain });
    await router.setDrains('demo', [drain('a'), drain('b')]);
    router.publish('demo', { source: 'app', process: 'web.1', line: 'to both' });
    await router.setDrains('demo', [drain('b'), drain('c')]);
    router.publish('demo', { source: 'app', process: 'web.1', line: 'to b and c' });
    assert.deepEqual(made.map((m) => [m.target.id, m.closed, m.events.map((e) => e.line)]), [
      ['a', true, ['to both']],
      ['b', false, ['to both', 'to b and c']],
      ['c', false, ['to b and c']],
    ]);
    await router.removeApp('demo');
    assert.ok(made.every((m) => m.closed));
  });

  it('puts a drain report into the buffer and readers, never back into the drains', async () => {
    const { made, createDrain } = recordingDrains();
    const router = createLogRouter({ createDrain });
    await router.setDrains('demo', [drain('a')]);
    made[0]?.reports.onOverflow('Error L10 (output buffer overflow): 3 messages dropped since 2026-12-01T10:00:00.000Z.');
    assert.deepEqual(
      router.recent('demo', 1).map((e) => [e.source, e.process, e.line]),
      [['paas', 'logs', 'Error L10 (output buffer overflow): 3 messages dropped since 2026-12-01T10:00:00.000Z.']],
    );
    assert.deepEqual(made[0]?.events, []);
    await router.close();
  });
});
