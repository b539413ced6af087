import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeApiEvent } from './api-log-line.js';

describe('api log lines', () => {
  it('says what changed and who changed it, with keys and never values', () => {
    assert.equal(describeApiEvent({ action: 'config.update', actor: 'alice', data: { set: ['A', 'B'], unset: ['C'], config_version: 4 } }), 'Set A, B; Unset C config vars by alice');
    assert.equal(describeApiEvent({ action: 'formation.update', actor: 'bob', data: { updates: [{ type: 'web', quantity: 2, size: 'standard-1x' }] } }), 'Scaled to web@2:standard-1x by bob');
    assert.equal(describeApiEvent({ action: 'release.create', actor: 'admin', data: { version: 7, description: 'Rollback to v5' } }), 'Release v7 created by admin: Rollback to v5');
    assert.equal(describeApiEvent({ action: 'dyno.restart', actor: 'admin', data: { dyno: 'web.1' } }), 'Restarted web.1 by admin');
  });

  it('leaves out events that are not about the running app', () => {
    assert.equal(describeApiEvent({ action: 'token.create', actor: 'admin', data: {} }), undefined);
  });
});
