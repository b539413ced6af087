import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PaasError } from './errors.js';
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

test('platform-owned keys cannot be set (422, saying why) but can be removed; PATH stays settable', () => {
  for (const key of ['PORT', 'DYNO', 'HOME', 'SOURCE_VERSION', 'PAAS_APP_NAME', 'PAAS_RELEASE_VERSION']) {
    assert.throws(() => applyConfigPatch({}, { [key]: '1' }), (error: unknown) =>
      error instanceof PaasError && error.id === 'invalid_params' && error.status === 422 &&
      error.message.startsWith(`${key} is set by the platform in every process`) && error.message.includes('Use another name'));
  }
  assert.throws(() => applyConfigPatch({}, { PORT: '1', DYNO: 'x', A: 'b' }), /PORT, DYNO are set by the platform/);
  assert.deepEqual(applyConfigPatch({ PORT: '1' }, { PORT: null }).unset, ['PORT']);
  assert.deepEqual(applyConfigPatch({}, { PATH: '/nope', MY_PORT: '1', port: '2' }).set, ['PATH', 'MY_PORT', 'port']);
  // Settings the platform reads and never sets: Swarm placement by node label.
  assert.deepEqual(applyConfigPatch({}, { PAAS_PLACEMENT_WORKER: 'tier=batch', PAAS_PLACEMENT_RUN: 'tier=batch' }).set, ['PAAS_PLACEMENT_WORKER', 'PAAS_PLACEMENT_RUN']);
});
