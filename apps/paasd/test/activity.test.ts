import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ActivityResource } from '@paas/core';

import { startHarness } from './harness.js';

test('activity: the audit log newest first, with keys but never config values', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  await h.send('POST', '/apps', { name: 'other' });
  await h.send('PATCH', '/apps/demo/config-vars', { SECRET: 'sekrit-value' });
  await h.send('POST', '/apps/demo/domains', { hostname: 'www.example.com' });

  const response = await h.request({ url: '/apps/demo/activity' });
  assert.equal(response.statusCode, 200);
  const events = response.json<ActivityResource[]>();
  const actions = events.map((event) => event.action);
  assert.equal(actions[0], 'domain.add');
  assert.ok(actions.includes('config.update'));
  assert.equal(actions.at(-1), 'app.create');
  assert.ok(events.every((event) => event.app.name === 'demo' && event.actor === 'admin@example.test' && !Number.isNaN(Date.parse(event.created_at))));
  assert.deepEqual(
    events.map((event) => event.id),
    events.map((event) => event.id).sort((a, b) => b - a),
  );
  assert.doesNotMatch(response.body, /sekrit/);

  const limited = (await h.request({ url: '/apps/demo/activity?limit=2' })).json<ActivityResource[]>();
  assert.deepEqual(limited, events.slice(0, 2));
});

test('activity: limits and unknown apps are refused clearly', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  for (const limit of ['0', '201', 'ten', '-1']) {
    const response = await h.request({ url: `/apps/demo/activity?limit=${limit}` });
    assert.equal(response.statusCode, 422, limit);
    assert.equal(response.json<{ id: string }>().id, 'invalid_params');
  }
  assert.equal((await h.request({ url: '/apps/demo/activity?limit=200' })).statusCode, 200);
  assert.equal((await h.request({ url: '/apps/demo/activity?before=3' })).statusCode, 422);
  const missing = await h.request({ url: '/apps/nope/activity' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ id: string }>().id, 'not_found');
  assert.equal((await h.app.inject({ url: '/apps/demo/activity' })).statusCode, 401);
});
