import assert from 'node:assert/strict';
import { test } from 'node:test';

import { APP_TABS, parseRoute, routeHref } from '../src/route.js';

test('routes parse from the hash', () => {
  assert.deepEqual(parseRoute(''), { page: 'apps' });
  assert.deepEqual(parseRoute('#/'), { page: 'apps' });
  assert.deepEqual(parseRoute('#/apps'), { page: 'apps' });
  assert.deepEqual(parseRoute('#/sign-in'), { page: 'sign-in' });
  assert.deepEqual(parseRoute('#/apps/demo'), { page: 'app', app: 'demo', tab: 'overview' });
  assert.deepEqual(parseRoute('#/apps/demo/releases/'), { page: 'app', app: 'demo', tab: 'releases' });
  assert.deepEqual(parseRoute('#/apps/demo/builds/6eab82da-1'), { page: 'app', app: 'demo', tab: 'builds', build: '6eab82da-1' });
});

test('anything else is not found, never passed on', () => {
  for (const hash of ['#/nope', '#/apps/Demo', '#/apps/../etc', '#/apps/demo/secrets', '#/apps/demo/releases/5', '#/apps/demo/builds/a%2Fb', '#/apps/%E0%A4%A', '#/apps/demo/builds/x/y']) {
    assert.deepEqual(parseRoute(hash), { page: 'not-found' }, hash);
  }
});

test('routeHref and parseRoute round-trip', () => {
  for (const tab of APP_TABS) {
    const route = { page: 'app', app: 'demo-2', tab } as const;
    assert.deepEqual(parseRoute(routeHref(route)), route);
  }
  assert.equal(routeHref({ page: 'app', app: 'demo', tab: 'overview' }), '#/apps/demo');
  assert.equal(routeHref({ page: 'app', app: 'demo', tab: 'config-vars' }), '#/apps/demo/config-vars');
  assert.deepEqual(parseRoute(routeHref({ page: 'app', app: 'demo', tab: 'builds', build: 'abc' })), { page: 'app', app: 'demo', tab: 'builds', build: 'abc' });
});
