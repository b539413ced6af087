import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PaasError } from './errors.js';
import { assertAppName, generateAppName, isAppName } from './app-name.js';

test('the app-name rule', () => {
  for (const good of ['demo', 'my-app-2', 'a1', 'x'.repeat(30)]) assert.ok(isAppName(good), good);
  for (const bad of ['', 'a', 'Demo', '1app', '-app', '../x', 'a;b', 'a b', 'x'.repeat(31), 'dé', 'a.b', 'a_b', 'demo\n', 42, null]) {
    assert.equal(isAppName(bad), false, String(bad));
  }
  assert.throws(() => assertAppName('../etc'), (error: unknown) => error instanceof PaasError && error.id === 'invalid_params');
});

test('generated names follow the rule', () => {
  for (let i = 0; i < 200; i += 1) assert.ok(isAppName(generateAppName()));
});
