import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import type { PipelineCouplingResource, PipelineDiffResource, PipelinePromotionResource, PipelinePromotionTargetResource, ReleaseResource } from '@paas/core';

import { deploySlug, startHarness } from './harness.js';
import { runtimeUnderTest, startPlatform, steadyLoad } from './platform-under-test.js';


test('pipelines and couplings in Heroku shapes; one pipeline per app; a slug from another stack is refused', async (t) => {
  const h = await startHarness(t);
  for (const name of ['shop-staging', 'shop-prod']) assert.equal((await h.send('POST', '/apps', { name })).statusCode, 201);
  const created = await h.send('POST', '/pipelines', { name: 'shop' });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal((await h.send('POST', '/pipelines', { name: 'Shop!' })).json<{ id: string }>().id, 'invalid_params');
  const coupled = await h.send('POST', '/pipeline-couplings', { app: 'shop-staging', pipeline: 'shop', stage: 'staging' });
  assert.equal(coupled.statusCode, 201, coupled.body);
  assert.equal((await h.send('POST', '/pipeline-couplings', { app: 'shop-prod', pipeline: 'shop', stage: 'qa' })).statusCode, 422);
  await h.send('POST', '/pipeline-couplings', { app: 'shop-prod', pipeline: 'shop', stage: 'production' });
  assert.equal((await h.send('POST', '/pipeline-couplings', { app: 'shop-prod', pipeline: 'shop', stage: 'staging' })).json<{ id: string }>().id, 'conflict');
  const couplings = (await h.request({ url: '/pipelines/shop/pipeline-couplings' })).json<PipelineCouplingResource[]>();
  assert.deepEqual(couplings.map((c) => [c.app.name, c.stage, c.pipeline.name]), [['shop-staging', 'staging', 'shop'], ['shop-prod', 'production', 'shop']]);
  assert.equal((await h.request({ url: '/apps/shop-prod/pipeline-couplings' })).json<PipelineCouplingResource>().stage, 'production');

  // Nothing to promote yet, then a slug built on a stack the target does not run.
  const promote = { source: { app: { id: 'shop-staging' } } };
  assert.equal((await h.send('POST', '/pipeline-promotions', promote)).json<{ id: string }>().id, 'conflict');
  deploySlug(h.store, 'shop-staging', { web: 'python3 server.py' });
  const refused = await h.send('POST', '/pipeline-promotions', promote);
  assert.equal(refused.statusCode, 422);
  assert.deepEqual(refused.json(), {
    id: 'stack_mismatch',
    message: 'The slug of shop-staging v2 was built on the paas-24 stack and cannot run on shop-prod, which runs on paas-bookworm: push the code to shop-prod to build it there.',
  });
  const diff = (await h.request({ url: '/apps/shop-staging/pipeline-diff' })).json<PipelineDiffResource>();
  assert.match(diff.targets[0]?.refused ?? '', /cannot run on shop-prod/);
  assert.equal((await h.request({ url: '/apps/shop-prod/releases' })).json<ReleaseResource[]>().length, 1, 'no release was made');

  const removed = await h.send('DELETE', `/pipeline-couplings/${couplings[0]?.id ?? ''}`);
  assert.equal(removed.statusCode, 200);
  assert.equal((await h.request({ url: '/apps/shop-staging/pipeline-couplings' })).statusCode, 404);
  assert.equal((await h.send('DELETE', '/pipelines/shop')).statusCode, 200);
  assert.equal((await h.request({ url: '/apps/shop-prod/pipeline-couplings' })).statusCode, 404);
  assert.equal((await h.request({ url: '/apps/shop-prod' })).statusCode, 200, 'the apps stay');
});

for (const runtime of ['local', 'docker'] as const) {
test(`a promotion releases the same slug downstream with no build, keeps its config, and drops no request (${runtime} runtime)`, { timeout: 600_000 }, async (t) => {
  const { env, skip } = await runtimeUnderTest(runtime);
  if (skip !== undefined) return t.skip(skip);
  const p = await startPlatform(t, env);
  const staging = await p.pushFixture('shop-staging', 'py-web', 'procfile');
  assert.equal(staging.code, 0, staging.out);
  // The same first commit runs downstream, built there.
  await p.h.send('POST', '/apps', { name: 'shop-prod' });
  await p.h.request({ method: 'PUT', url: '/apps/shop-prod/buildpack-installations', payload: { updates: [{ buildpack: 'procfile' }] } });
  await p.git.run(staging.repo, ['remote', 'add', 'prod', `${p.api}/shop-prod.git`]);
  const prod = await p.git.run(staging.repo, ['push', 'prod', 'main']);
  assert.equal(prod.code, 0, prod.out);
  await p.h.send('PATCH', '/apps/shop-prod/config-vars', { GREETING: 'from production' });
  await p.h.send('PATCH', '/apps/shop-staging/config-vars', { SECRET_KEY: 'staging-only' });

  // New code on staging only.
  const server = join(staging.repo, 'server.py');
  writeFileSync(server, readFileSync(server, 'utf8').replace('json.dumps({', 'json.dumps({"code": "second", '));
  await p.git.run(staging.repo, ['commit', '-qam', 'Say which code answers']);
  const second = await p.git.run(staging.repo, ['push', 'paas', 'main']);
  assert.equal(second.code, 0, second.out);

  await p.h.send('POST', '/pipelines', { name: 'shop' });
  await p.h.send('POST', '/pipeline-couplings', { app: 'shop-staging', pipeline: 'shop', stage: 'staging' });
  await p.h.send('POST', '/pipeline-couplings', { app: 'shop-prod', pipeline: 'shop', stage: 'production' });
  const diff = (await p.h.request({ url: '/apps/shop-staging/pipeline-diff' })).json<PipelineDiffResource>();
  const [target] = diff.targets;
  assert.equal(target?.app.name, 'shop-prod');
  assert.deepEqual(target.missing_config_vars, ['SECRET_KEY']);
  assert.deepEqual(target.commits?.map((commit) => [commit.message, commit.author]), [['Say which code answers', 'Test']]);
  assert.equal(target.refused, null);

  await p.until('shop-prod serving', async () => (await p.get('shop-prod')).status === 200);
  const load = steadyLoad(p, 'shop-prod', t);
  const created = await p.h.send('POST', '/pipeline-promotions', { pipeline: { id: 'shop' }, source: { app: { id: 'shop-staging' } } });
  assert.equal(created.statusCode, 201, created.body);
  const promotion = created.json<PipelinePromotionResource>();
  assert.equal(promotion.source.release.version, 4);
  let targets: PipelinePromotionTargetResource[] = [];
  await p.until('the promotion finished', async () => {
    targets = (await p.h.request({ url: `/pipeline-promotions/${promotion.id}/promotion-targets` })).json<PipelinePromotionTargetResource[]>();
    return targets.every((each) => each.status !== 'pending');
  });
  await p.until('the promoted code answering', async () => (await p.get('shop-prod')).body.includes('"second"'));
  const { ok, failed } = await load.stop(11);
  assert.deepEqual(failed, [], `${String(failed.length)} failed requests during the promotion`);
  assert.ok(ok > 10, `only ${String(ok)} requests were made`);

  assert.deepEqual(targets.map((each) => [each.app.name, each.status, each.release?.version]), [['shop-prod', 'succeeded', 4]]);
  const [released] = (await p.h.request({ url: '/apps/shop-prod/releases' })).json<ReleaseResource[]>();
  assert.equal(released?.description, 'Promote shop-staging v4');
  assert.equal(released.current, true);
  assert.equal(p.h.store.deploys.currentSlug('shop-prod')?.checksum, p.h.store.deploys.currentSlug('shop-staging')?.checksum);
  assert.equal((await p.h.request({ url: '/apps/shop-prod/builds' })).json<unknown[]>().length, 1, 'no build for a promotion');
  const body = JSON.parse((await p.get('shop-prod')).body) as { greeting: string | null };
  assert.equal(body.greeting, 'from production', 'the downstream app keeps its own config');
  assert.equal((await p.h.request({ url: '/apps/shop-prod/config-vars' })).json<Record<string, string>>().SECRET_KEY, undefined);
  assert.equal((await p.h.request({ url: `/pipeline-promotions/${promotion.id}` })).json<PipelinePromotionResource>().status, 'completed');

  // The shared slug file stays while the downstream app uses it, even once the source is gone.
  await p.h.send('DELETE', '/apps/shop-staging');
  const collect = await p.h.send('POST', '/disk/collect');
  assert.equal(collect.statusCode, 200, collect.body);
  await p.h.send('PATCH', '/apps/shop-prod/config-vars', { GREETING: 'still here' });
  await p.until('shop-prod restarted from the shared slug', async () => (await p.get('shop-prod')).body.includes('still here'));
});
}
