import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PaasError } from './errors.js';
import { RESERVED_APP_NAMES, assertAppName, assertNewAppName, generateAppName, isAppName, isNewAppName } from './app-name.js';

test('the app-name rule', () => {
  for (const good of ['demo', 'my-app-2', 'a1b', 'a-1', 'x'.repeat(30), 'api-2']) assert.ok(isNewAppName(good), good);
  for (const bad of ['', 'a', 'a1', 'app-', 'my--app', '-app', 'a-', 'Demo', '1app', '-app', '../x', 'a;b', 'a b', 'x'.repeat(31), 'dé', 'a.b', 'a_b', 'demo\n', 42, null]) {
    assert.equal(isNewAppName(bad), false, String(bad));
  }
  // Apps named under the older, looser rule stay reachable; nothing unsafe in a path passes.
  for (const older of ['my--app', 'app-', 'ab']) assert.ok(isAppName(older), older);
  for (const bad of ['', 'a', '-app', 'Demo', '1app', '../x', 'a;b', 'a b', 'x'.repeat(31), 'a.b', 'a_b', 'demo\n', 42, null]) {
    assert.equal(isAppName(bad), false, String(bad));
  }
  assert.throws(() => assertAppName('../etc'), (error: unknown) => error instanceof PaasError && error.id === 'invalid_params');
});

test('generated names follow the rule', () => {
  for (let i = 0; i < 200; i += 1) assert.ok(isNewAppName(generateAppName()));
});

test('a new app cannot take a reserved name, and the message says the rule', () => {
  for (const reserved of ['api', 'git', 'dashboard', 'www', 'localhost', 'default']) {
    assert.ok(RESERVED_APP_NAMES.has(reserved));
    assert.throws(() => assertNewAppName(reserved), (error: unknown) =>
      error instanceof PaasError && error.id === 'invalid_params' && /reserved/.test(error.message) && error.message.includes(`${reserved}-app`));
  }
  assert.equal(assertNewAppName('my-api'), 'my-api');
  assert.throws(() => assertNewAppName('my--app'), /3 to 30 characters: lowercase letters, digits and single dashes/);
});
