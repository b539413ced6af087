import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { DynoResource, FormationResource } from '@paas/core';

import { formatProcessList, groupProcesses } from './process-list.js';

const now = new Date('2026-11-22T03:12:09.953Z');
const app = { id: 'a1', name: 'demo' };

function dyno(name: string, fields: Partial<DynoResource> = {}): DynoResource {
  return {
    name,
    type: name.split('.')[0] ?? '',
    state: 'up',
    release: { version: 5 },
    command: 'node server.js',
    created_at: '2026-11-22T03:07:09.953Z',
    id: `id-${name}`,
    size: 'standard',
    updated_at: '2026-11-22T03:07:09.953Z',
    app,
    attach_url: null,
    ...fields,
  };
}

function entry(type: string, command: string, size = 'standard'): FormationResource {
  return { app, type, quantity: 1, size: size as FormationResource['size'], command };
}

describe('groupProcesses', () => {
  it('puts web first, other types by name and one-offs last, each in process order', () => {
    const groups = groupProcesses(
      [dyno('worker.1'), dyno('run.4821'), dyno('web.10'), dyno('clock.1'), dyno('web.2'), dyno('web.1')],
      [entry('web', 'node server.js'), entry('worker', 'node worker.js'), entry('clock', 'node clock.js')],
    );
    assert.deepEqual(groups.map((g) => g.type), ['web', 'clock', 'worker', 'run']);
    assert.deepEqual(groups[0]?.dynos.map((d) => d.name), ['web.1', 'web.2', 'web.10']);
    assert.equal(groups[2]?.command, 'node worker.js');
    assert.equal(groups[3]?.size, undefined);
  });

  it('shows nothing for an app without processes', () => {
    assert.deepEqual(formatProcessList(groupProcesses([], [entry('web', 'x')]), now), []);
  });
});

describe('formatProcessList', () => {
  it('writes heroku ps: a header per type, a line per process, a blank line between types', () => {
    const groups = groupProcesses(
      [
        dyno('web.1'),
        dyno('web.2', { state: 'starting', release: { version: 6 }, created_at: '2026-11-22T03:12:09.000Z' }),
        dyno('worker.1', { command: 'node worker.js', created_at: '2026-11-21T03:12:09.953Z' }),
      ],
      [entry('web', 'node server.js'), entry('worker', 'node worker.js', 'standard-2x')],
    );
    assert.deepEqual(formatProcessList(groups, now), [
      '=== web (standard): node server.js (2)',
      'web.1: up 2026/11/22 03:07:09 (~ 5m ago)  v5',
      'web.2: starting 2026/11/22 03:12:09 (just now)  v6',
      '',
      '=== worker (standard-2x): node worker.js (1)',
      'worker.1: up 2026/11/21 03:12:09 (~ 1d ago)  v5',
    ]);
  });

  it('gives a crashed process its next restart', () => {
    const lines = formatProcessList(
      groupProcesses(
        [
          dyno('web.1', { state: 'crashed', restart_at: '2026-11-22T03:12:30.000Z' }),
          dyno('web.2', { state: 'crashed', restart_at: '2026-11-22T03:12:00.000Z' }),
          dyno('web.3', { state: 'crashed' }),
        ],
        [entry('web', 'node server.js')],
      ),
      now,
    );
    assert.deepEqual(lines.slice(1), [
      'web.1: crashed 2026/11/22 03:07:09 (~ 5m ago)  v5  restarts in ~ 21s',
      'web.2: crashed 2026/11/22 03:07:09 (~ 5m ago)  v5  restarting now',
      'web.3: crashed 2026/11/22 03:07:09 (~ 5m ago)  v5',
    ]);
  });

  it('names one-off processes with their own commands', () => {
    const lines = formatProcessList(groupProcesses([dyno('run.4821', { command: 'bash' })], [entry('web', 'node server.js')]), now);
    assert.deepEqual(lines, ['=== run: one-off processes (1)', 'run.4821: up 2026/11/22 03:07:09 (~ 5m ago)  v5  bash']);
  });

  it('says which node each process runs on when the runtime spans several (Swarm)', () => {
    const lines = formatProcessList(groupProcesses([dyno('web.1', { node: 'node-a' }), dyno('web.2', { node: 'node-b' })], [entry('web', 'node server.js')]), now);
    assert.deepEqual(lines.slice(1), ['web.1: up 2026/11/22 03:07:09 (~ 5m ago)  v5  on node-a', 'web.2: up 2026/11/22 03:07:09 (~ 5m ago)  v5  on node-b']);
  });

  it('falls back to the processes’ command for a type the formation no longer has', () => {
    const lines = formatProcessList(groupProcesses([dyno('old.1', { command: 'node old.js' })], []), now);
    assert.equal(lines[0], '=== old: node old.js (1)');
  });
});
