import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { DeployObservation } from './deploy-verdict.js';
import { deployFailureMessage, judgeDeploy } from './deploy-verdict.js';

const base: DeployObservation = { version: 5, wantedWeb: 2, readyWeb: 0, failure: undefined, startedAt: 1_000, now: 1_000, deadlineMs: 60_000 };

test('a deploy is judged from what was observed', () => {
  const cases: [string, Partial<DeployObservation>, ReturnType<typeof judgeDeploy>][] = [
    ['nothing up yet', {}, { state: 'waiting' }],
    ['one of two up', { readyWeb: 1 }, { state: 'waiting' }],
    ['all up', { readyWeb: 2 }, { state: 'succeeded' }],
    ['no web wanted', { wantedWeb: 0 }, { state: 'succeeded' }],
    ['a failure wins over readiness', { readyWeb: 2, failure: 'web.1 crashed' }, { state: 'failed', reason: 'web.1 crashed' }],
    ['a process could not start', { failure: 'web.2 could not start: spawn bash ENOENT' }, { state: 'failed', reason: 'web.2 could not start: spawn bash ENOENT' }],
    ['the deadline passed', { now: 61_000 }, { state: 'failed', reason: 'its web processes were not up within 60 seconds' }],
    ['just before the deadline', { now: 60_999 }, { state: 'waiting' }],
  ];
  for (const [name, change, expected] of cases) assert.deepEqual(judgeDeploy({ ...base, ...change }), expected, name);
});

test('a failure claims a serving release only when there is one', () => {
  assert.equal(deployFailureMessage('web.1 crashed', 3, 2), 'web.1 crashed: v3 was not deployed and v2 keeps serving. See `paas logs`.');
  assert.equal(deployFailureMessage('web.1 crashed', 2, null), 'web.1 crashed: v2 was not deployed and the app has no release running. See `paas logs`.');
});
