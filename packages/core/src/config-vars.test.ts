import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyConfigPatch, describeConfigChange, isConfigKey } from './config-vars.js';

test('config keys', () => {
  for (const good of ['A', '_A', 'DATABASE_URL', 'a1_b2']) assert.ok(isConfigKey(good), good);
  for (const bad of ['', '1A', 'A=B', 'A B', 'A-B', 'Ä', 'A\n', 'x'.repeat(257)]) assert.equal(isConfigKey(bad), false, bad);
});

test('a patch lists only real changes', () => {
  const change = applyConfigPatch({ A: '1', B: '2' }, { A: '1', B: null, C: '3', D: null });
  assert.deepEqual(change, { next: { A: '1', C: '3' }, set: ['C'], unset: ['B'] });
});

test('values are checked without being shown', () => {
  assert.throws(() => applyConfigPatch({}, { K: 'secret\0' }), (error: Error) => !error.message.includes('secret'));
  assert.throws(() => applyConfigPatch({}, { K: 'x'.repeat(33 * 1024) }), /over the limit/);
});

test('descriptions in Heroku words', () => {
  assert.equal(describeConfigChange(['A', 'B'], []), 'Set A, B config vars');
  assert.equal(describeConfigChange([], ['A']), 'Remove A config var');
  assert.equal(describeConfigChange(['A'], ['B', 'C']), 'Set A config var and remove B, C config vars');
});
