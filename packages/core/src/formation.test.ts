import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyFormationUpdates, formationFor, resolveProcessSize, resolveQuantity } from './formation.js';

test('quantities: absolute, relative, and bounded', () => {
  const cases: [number, number | string, number | null][] = [
    [1, 3, 3], [1, '3', 3], [1, '+2', 3], [3, '-1', 2], [0, ' +1 ', 1], [1, 0, 0], [99, '+1', 100],
    [100, '+1', null], [1, '-2', null], [1, 101, null], [1, -1, null], [1, 1.5, null], [1, 'two', null], [1, '', null], [1, '++1', null],
  ];
  for (const [current, requested, expected] of cases) {
    if (expected === null) assert.throws(() => resolveQuantity('web', current, requested), String(requested));
    else assert.equal(resolveQuantity('web', current, requested), expected, String(requested));
  }
});

test('formation follows the slug: web first at 1, others at 0, release type never scaled', () => {
  assert.deepEqual(formationFor(['worker', 'web', 'release', 'clock'], [{ type: 'worker', quantity: 2, size: 'basic' }]), [
    { type: 'web', quantity: 1, size: 'standard' },
    { type: 'clock', quantity: 0, size: 'standard' },
    { type: 'worker', quantity: 2, size: 'basic' },
  ]);
});

test('updates touch only named types and refuse unknown ones', () => {
  const current = formationFor(['web', 'worker'], []);
  assert.deepEqual(applyFormationUpdates(current, [{ type: 'worker', quantity: '+2', size: 'eco' }]), [
    { type: 'web', quantity: 1, size: 'standard' },
    { type: 'worker', quantity: 2, size: 'eco' },
  ]);
  assert.throws(() => applyFormationUpdates(current, [{ type: 'clock', quantity: 1 }]), /types are web, worker/);
  assert.throws(() => applyFormationUpdates([...current, { type: '-web', quantity: 0, size: 'standard' }], [{ type: '-web', quantity: 1 }]), /Invalid process type "-web": a process type holds only lowercase/);
  assert.throws(() => applyFormationUpdates(current, [{ type: 'web', size: 'giant' }]), /Unknown size/);
  assert.throws(() => applyFormationUpdates([], [{ type: 'web', quantity: 1 }]), /Push code first/);
});

test("Heroku's size names map onto paas sizes, in any case", () => {
  const current = formationFor(['web', 'worker'], []);
  assert.deepEqual(applyFormationUpdates(current, [{ type: 'web', size: 'Standard-1X' }, { type: 'worker', quantity: '1', size: '2X' }]), [
    { type: 'web', quantity: 1, size: 'standard' },
    { type: 'worker', quantity: 1, size: 'standard-2x' },
  ]);
  assert.equal(resolveProcessSize('hobby'), 'eco');
  assert.equal(resolveProcessSize('performance-m'), 'performance-m');
  assert.equal(resolveProcessSize('toString'), undefined);
});
