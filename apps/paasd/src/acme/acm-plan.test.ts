import assert from 'node:assert/strict';
import { test } from 'node:test';

import { planAcmOrders, renewalDueAt, retryDelayMs } from './acm-plan.js';

const DAY = 24 * 3_600_000;
const NOW = Date.parse('2026-12-06T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const app = { appId: 'a1', name: 'shop', acm: true, domains: ['www.shop.test', 'api.shop.test'] };

test('orders a certificate for each domain without one; none for apps without ACM', () => {
  const plan = planAcmOrders(NOW, [app, { ...app, appId: 'a2', name: 'off', acm: false, domains: ['off.test'] }], [], [], new Set());
  assert.deepEqual(plan.orders.map((o) => [o.app, o.hostname, o.reason]), [['shop', 'www.shop.test', 'new'], ['shop', 'api.shop.test', 'new']]);
});

test('renews 30 days before expiry, or at two thirds of a short lifetime', () => {
  assert.equal(renewalDueAt({ notBefore: iso(NOW), notAfter: iso(NOW + 90 * DAY) }), NOW + 60 * DAY);
  assert.equal(renewalDueAt({ notBefore: iso(NOW), notAfter: iso(NOW + 9_000) }), NOW + 6_000);
  const fresh = { appId: 'a1', hostnames: ['www.shop.test'], notBefore: iso(NOW - 10 * DAY), notAfter: iso(NOW + 80 * DAY) };
  const old = { appId: 'a1', hostnames: ['api.shop.test'], notBefore: iso(NOW - 70 * DAY), notAfter: iso(NOW + 20 * DAY) };
  const plan = planAcmOrders(NOW, [app], [fresh, old], [], new Set());
  assert.deepEqual(plan.orders.map((o) => [o.hostname, o.reason]), [['api.shop.test', 'renew']]);
  // Next look: in an hour at most (the fresh one is due in 50 days).
  assert.equal(plan.nextCheckAt, NOW + 3_600_000);
  assert.equal(planAcmOrders(NOW, [app], [fresh, old], [], new Set(), 100 * DAY).nextCheckAt, NOW + 50 * DAY);
});

test('after a failure, waits with a doubling backoff; orders under way are not doubled', () => {
  assert.deepEqual([1, 2, 3, 20].map((n) => retryDelayMs(n)), [60_000, 120_000, 240_000, DAY]);
  const hosts = [{ hostname: 'www.shop.test', nextAttemptAt: iso(NOW + 60_000) }, { hostname: 'api.shop.test', nextAttemptAt: iso(NOW - 1) }];
  const plan = planAcmOrders(NOW, [app], [], hosts, new Set());
  assert.deepEqual(plan.orders.map((o) => o.hostname), ['api.shop.test']);
  assert.equal(plan.nextCheckAt, NOW + 60_000);
  assert.deepEqual(planAcmOrders(NOW, [app], [], [], new Set(['www.shop.test'])).orders.map((o) => o.hostname), ['api.shop.test']);
});
