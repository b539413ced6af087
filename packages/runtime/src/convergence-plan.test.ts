import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { FormationEntry } from '@paas/core';

import type { ObservedProcess } from './convergence-plan.js';
import { planConvergence, routableProcesses } from './convergence-plan.js';

let next = 0;
function proc(name: string, release: number, options: { status?: 'running' | 'exited'; ready?: boolean } = {}): ObservedProcess {
  const [type = 'web', index = '1'] = name.split('.');
  next += 1;
  return {
    id: `p${String(next)}`,
    app: 'demo',
    release,
    type,
    index: Number(index),
    name,
    status: options.status ?? 'running',
    address: { host: '127.0.0.1', port: 1000 + next },
    startedAt: '2026-01-01T00:00:00.000Z',
    ready: options.ready ?? true,
  };
}
const formation = (web: number, worker = 0): FormationEntry[] => [
  { type: 'web', quantity: web, size: 'standard' },
  { type: 'worker', quantity: worker, size: 'standard' },
];
const always = (): boolean => true;
const names = (items: readonly { name: string }[]): string[] => items.map((i) => i.name).sort();

test('steady state: start what is missing, stop what is extra, keep what runs', () => {
  const running = [proc('web.1', 3), proc('web.3', 3), proc('worker.1', 3)];
  const plan = planConvergence({ current: 3, target: 3, formation: formation(2, 0), processes: running, restartDue: always });
  assert.deepEqual(names(plan.start), ['web.2']);
  assert.deepEqual(plan.stop.map((s) => [s.name, s.reason]).sort(), [['web.3', 'scaled-down'], ['worker.1', 'scaled-down']]);
  assert.equal(plan.serving, 3);
});

test('deploy: new web starts beside the old, which keeps serving until every new web is ready', () => {
  const old = [proc('web.1', 3), proc('web.2', 3), proc('worker.1', 3)];
  const first = planConvergence({ current: 3, target: 4, formation: formation(2, 1), processes: old, restartDue: always });
  assert.deepEqual(names(first.start), ['web.1', 'web.2']);
  assert.deepEqual(first.stop, []);
  assert.equal(first.serving, 3);
  assert.equal(first.switched, false);

  const booting = [...old, proc('web.1', 4), proc('web.2', 4, { ready: false })];
  const second = planConvergence({ current: 3, target: 4, formation: formation(2, 1), processes: booting, restartDue: always });
  assert.deepEqual(second.start, []);
  assert.deepEqual(second.stop, []);
  assert.equal(second.serving, 3);
  assert.deepEqual(routableProcesses(second, booting).map((p) => p.release), [3, 3]);

  const ready = [...old, proc('web.1', 4), proc('web.2', 4)];
  const third = planConvergence({ current: 3, target: 4, formation: formation(2, 1), processes: ready, restartDue: always });
  assert.equal(third.switched, true);
  assert.equal(third.serving, 4);
  assert.deepEqual(names(third.start), ['worker.1']);
  assert.deepEqual(third.stop.map((s) => `${s.name}@${String(s.reason)}`).sort(), ['web.1@old-release', 'web.2@old-release', 'worker.1@old-release']);
  assert.deepEqual(routableProcesses(third, ready).map((p) => p.release), [4, 4]);
});

test('a crashed process restarts when its backoff allows, and waits otherwise', () => {
  const crashed = [proc('web.1', 2, { status: 'exited' }), proc('worker.1', 2, { status: 'exited' })];
  const due = planConvergence({ current: 2, target: 2, formation: formation(1, 1), processes: crashed, restartDue: (name) => name === 'web.1' });
  assert.deepEqual(names(due.start), ['web.1']);
  assert.deepEqual(due.waiting, ['worker.1']);
  // The one still waiting stays listed, crashed, until it may restart.
  assert.deepEqual(due.stop.map((s) => [s.name, s.reason]), [['web.1', 'crashed']]);
});

test('with nothing deployed everything stops; with no web, other types start at once', () => {
  const leftovers = [proc('web.1', 1)];
  assert.deepEqual(planConvergence({ current: null, target: null, formation: [], processes: leftovers, restartDue: always }).stop.length, 1);
  const workerOnly = planConvergence({ current: 1, target: 2, formation: formation(0, 2), processes: [], restartDue: always });
  assert.equal(workerOnly.switched, true);
  assert.deepEqual(names(workerOnly.start), ['worker.1', 'worker.2']);
});

test('a failed deploy reverts: the target is the old release again and the new processes go', () => {
  const mixed = [proc('web.1', 3), proc('web.1', 4, { status: 'exited' })];
  const plan = planConvergence({ current: 3, target: 3, formation: formation(1), processes: mixed, restartDue: always });
  assert.deepEqual(plan.start, []);
  assert.deepEqual(plan.stop.map((s) => [s.name, s.reason]), [['web.1', 'old-release']]);
  assert.equal(plan.stop[0]?.id, mixed[1]?.id);
});

test('after an interrupted deploy, the other release serves until the target has a ready web process', () => {
  const left = [proc('web.1', 4)];
  const first = planConvergence({ current: 3, target: 3, formation: formation(1), processes: left, restartDue: always });
  assert.deepEqual(names(first.start), ['web.1']);
  assert.deepEqual(first.stop, []);
  assert.equal(first.serving, 4);
  const both = [...left, proc('web.1', 3)];
  const second = planConvergence({ current: 3, target: 3, formation: formation(1), processes: both, restartDue: always });
  assert.deepEqual(second.stop.map((s) => s.id), [left[0]?.id]);
  assert.equal(second.serving, 3);
});

test('scaling web down takes the extra processes out of the routes in the same step that stops them', () => {
  const running = [proc('web.1', 3), proc('web.2', 3), proc('web.3', 3)];
  const plan = planConvergence({ current: 3, target: 3, formation: formation(1), processes: running, restartDue: always });
  assert.deepEqual(plan.stop.map((s) => s.reason), ['scaled-down', 'scaled-down']);
  assert.deepEqual(routableProcesses(plan, running).map((p) => p.name), ['web.1']);
});
