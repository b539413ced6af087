import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { FactorResult, MetricsPoint } from '@paas/core';

import type { PlatformUnderTest } from './platform-under-test.js';
import { startPlatform } from './platform-under-test.js';
import { startHarness } from './harness.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '5', PAAS_STOP_GRACE: '2', PAAS_METRICS_SAMPLE_INTERVAL: '1' };

interface MetricsBody {
  readonly step_seconds: number;
  readonly points: MetricsPoint[];
  readonly releases: { version: number }[];
}

const metrics = async (p: PlatformUnderTest, app: string): Promise<MetricsBody> => {
  const response = await p.h.request({ url: `/apps/${app}/metrics?since=30m&step=60m` });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<MetricsBody>();
};

/** Every point of the window merged: the load may straddle a minute. */
const total = (body: MetricsBody, f: (p: MetricsPoint) => number): number => body.points.reduce((sum, point) => sum + f(point), 0);

const scorecard = async (p: PlatformUnderTest, app: string, version = 'current'): Promise<Record<string, FactorResult>> => {
  const response = await p.h.request({ url: `/apps/${app}/releases/${version}/twelve-factor` });
  assert.equal(response.statusCode, 200, response.body);
  return Object.fromEntries(response.json<{ factors: FactorResult[] }>().factors.map((f) => [f.factor, f]));
};

test('a load through the router shows its counts and percentiles; memory a process allocates is seen', { timeout: 120_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const pushed = await p.pushFixture('load', 'well-behaved', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  // 90 fast answers, 10 that take 300 ms, 5 not found.
  for (let i = 0; i < 90; i += 1) assert.equal((await p.get('load', '/')).status, 200);
  await Promise.all(Array.from({ length: 10 }, async () => assert.equal((await p.get('load', '/delay/300')).status, 200)));
  for (let i = 0; i < 5; i += 1) assert.equal((await p.get('load', '/missing')).status, 404);
  // The router's thread hands its access entries over in batches, a few milliseconds after each answer.
  let body = await metrics(p, 'load');
  await p.until(() => `the 105 requests to be counted (counted ${String(total(body, (m) => m.requests))})`, async () => {
    body = await metrics(p, 'load');
    return total(body, (m) => m.requests) >= 105;
  }, 5_000);
  assert.equal(body.step_seconds, 3600); // one step holds the whole window: the load cannot straddle two
  assert.equal(total(body, (m) => m.requests), 105);
  assert.equal(total(body, (m) => m.statuses['2xx'] ?? 0), 100);
  assert.equal(total(body, (m) => m.statuses['4xx'] ?? 0), 5);
  const [point] = body.points.filter((m) => m.requests > 0);
  assert.ok(point && point.requests === 105, 'the load falls in one step');
  assert.ok(point.p50Ms !== null && point.p50Ms < 100, `p50 ${String(point.p50Ms)}`);
  assert.ok(point.p95Ms !== null && point.p95Ms >= 300 && point.p95Ms < 400, `p95 ${String(point.p95Ms)}`);
  assert.ok(point.p99Ms !== null && point.p99Ms >= point.p95Ms, `p99 ${String(point.p99Ms)}`);
  assert.deepEqual(body.releases.map((r) => r.version), [1, 2]);

  assert.equal((await p.get('load', '/allocate/120')).status, 200);
  await p.until('memory over 120 MB sampled', async () => {
    const latest = (await metrics(p, 'load')).points.at(-1);
    return (latest?.memoryMaxMb['web.1'] ?? 0) > 120;
  }, 15_000);
  await p.h.send('DELETE', '/apps/load');
});

test('the scorecard: a well-behaved app meets every factor it shows; an app that breaks one is warned about it', { timeout: 180_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const good = await p.pushFixture('good', 'well-behaved', 'procfile');
  assert.equal(good.code, 0, good.out);
  await p.h.send('PATCH', '/apps/good/config-vars', { DATABASE_URL: 'postgres://db.example.test/good' });
  await p.until('v3 current, its process sampled', async () => {
    const [newest] = (await p.h.request({ url: '/apps/good/releases' })).json<{ version: number; current: boolean }[]>().sort((a, b) => b.version - a.version);
    return newest?.version === 3 && newest.current && (await scorecard(p, 'good', '3')).VI?.verdict === 'meets';
  });
  await p.h.send('DELETE', '/apps/good/dynos'); // a restart: its stop is seen
  await p.until('the stop recorded', async () => /within \d+ ms of SIGTERM/.test((await scorecard(p, 'good', '3')).IX?.evidence ?? ''));
  const goodCard = await scorecard(p, 'good', '3');
  assert.deepEqual(Object.values(goodCard).filter((f) => f.verdict !== 'meets'), []);

  const warns = async (app: string, fixture: string, factor: string, evidence: RegExp): Promise<void> => {
    const pushed = await p.pushFixture(app, fixture, 'procfile');
    await p.until(`${app}: ${factor} warns`, async () => {
      const card = await scorecard(p, app, '2');
      return card[factor]?.verdict === 'warns';
    }, 30_000);
    const found = (await scorecard(p, app, '2'))[factor];
    assert.match(found?.evidence ?? '', evidence, pushed.out);
    assert.ok(found?.fix);
  };
  await warns('env-file', 'commits-env', 'III', /\.env/);
  await warns('log-file', 'writes-log-file', 'XI', /log\/app\.log/);
  await warns('uploads', 'writes-uploads', 'VI', /uploads\/avatar-1\.png/);
  await warns('fixed-port', 'hardcodes-port', 'VII', /did not bind \$PORT/);
  // Admin work as a one-off: XII is met without a release phase.
  assert.equal((await scorecard(p, 'uploads', '2')).XII?.verdict, 'not-observed');
  assert.equal((await p.h.send('POST', '/apps/uploads/dynos', { command: 'echo migrated' })).statusCode, 201);
  await p.until('XII met by a one-off', async () => (await scorecard(p, 'uploads', '2')).XII?.verdict === 'meets', 20_000);

  const stubborn = await p.pushFixture('stubborn', 'ignores-sigterm', 'procfile');
  assert.equal(stubborn.code, 0, stubborn.out);
  await p.h.send('DELETE', '/apps/stubborn/dynos');
  await p.until('IX warns (R12)', async () => (await scorecard(p, 'stubborn', '2')).IX?.verdict === 'warns', 20_000);
  assert.match((await scorecard(p, 'stubborn', '2')).IX?.evidence ?? '', /web\.1 did not exit within 2 s of SIGTERM \(R12\)/);
});

test('metrics and scorecard requests: windows, steps and releases are checked', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'quiet' });
  const ask = async (url: string): Promise<{ status: number; id?: string; body: unknown }> => {
    const response = await h.request({ url });
    const body = response.json<{ id?: string }>();
    return { status: response.statusCode, ...(body.id === undefined ? {} : { id: body.id }), body };
  };
  const quiet = await ask('/apps/quiet/metrics');
  assert.equal(quiet.status, 200);
  const series = quiet.body as MetricsBody;
  assert.equal(series.step_seconds, 60);
  assert.ok(series.points.length >= 60 && series.points.every((p) => p.requests === 0 && p.p50Ms === null));
  assert.equal((await ask('/apps/quiet/metrics?since=48h&step=1h')).status, 200, 'a window beyond 24 hours is cut to 24');
  for (const url of ['/apps/quiet/metrics?since=soon', '/apps/quiet/metrics?step=30s', '/apps/quiet/metrics?since=1h&extra=1', '/apps/quiet/releases/first/twelve-factor']) {
    const refused = await ask(url);
    assert.ok(refused.status >= 400 && refused.status < 500, `${url}: ${String(refused.status)}`);
  }
  const old = (await ask('/apps/quiet/metrics?since=2026-01-01T00:00:00Z&step=1h')).body as MetricsBody & { since: string };
  assert.ok(Date.now() - Date.parse(old.since) <= 24 * 3_600_000 + 1000, 'an old since is cut to the 24 hours kept');
  assert.deepEqual([(await ask('/apps/nope/metrics')).id, (await ask('/apps/quiet/releases/9/twelve-factor')).id], ['not_found', 'not_found']);
  const card = (await ask('/apps/quiet/releases/current/twelve-factor')).body as { release: number; factors: FactorResult[] };
  assert.equal(card.release, 1);
  assert.deepEqual(card.factors.map((f) => f.verdict), Array<string>(11).fill('not-observed'));
});
