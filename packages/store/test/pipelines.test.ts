import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';

import { PaasError } from '@paas/core';

import { createStore } from '../src/index.js';
import type { Store } from '../src/index.js';
import { tempDir } from './temp-dir.js';

function open(t: TestContext): Store {
  const store = createStore({ dataDir: tempDir(t) });
  t.after(() => store.close());
  return store;
}

const errorId = (id: string) => (error: unknown) => error instanceof PaasError && error.id === id;

function deploy(store: Store, app: string, checksum: string): void {
  const slug = store.slugs.create({
    appId: store.apps.require(app).id,
    checksum,
    processTypes: { web: 'python3 server.py' },
    buildpacks: ['procfile'],
    commit: 'a'.repeat(40),
    size: 10,
    stack: 'paas-24',
  });
  store.deploys.createRelease(app, { slugId: slug.id, description: 'Deploy aaaaaaa', actor: 'alice', status: 'succeeded' });
}

test('couplings: one pipeline per app, listed by stage; a pipeline name follows the app-name rule', (t) => {
  const store = open(t);
  for (const app of ['shop-prod', 'shop-staging']) store.apps.create(app, 'alice');
  const pipeline = store.pipelines.create('shop', 'alice');
  assert.throws(() => store.pipelines.create('shop', 'alice'), errorId('conflict'));
  assert.throws(() => store.pipelines.create('Bad_Name', 'alice'), errorId('invalid_params'));
  store.pipelines.couple('shop', 'shop-prod', 'production', 'alice');
  store.pipelines.couple(pipeline.id, 'shop-staging', 'staging', 'alice');
  assert.throws(() => store.pipelines.couple('shop', 'shop-prod', 'staging', 'alice'), errorId('conflict'));
  assert.deepEqual(store.pipelines.couplings({ pipeline: 'shop' }).map((c) => [c.appName, c.stage]), [['shop-staging', 'staging'], ['shop-prod', 'production']]);
  assert.equal(store.pipelines.uncouple('shop-staging', 'alice').pipelineName, 'shop');
  assert.throws(() => store.pipelines.uncouple('shop-staging', 'alice'), errorId('not_found'));
  store.apps.destroy('shop-prod', 'alice');
  assert.deepEqual(store.pipelines.couplings(), []);
  store.pipelines.destroy('shop', 'alice');
  assert.equal(store.pipelines.get('shop'), undefined);
});

test('a promotion makes a pending release in each target with the same slug file and the target\'s own config', (t) => {
  const store = open(t);
  for (const app of ['shop-prod', 'shop-staging']) store.apps.create(app, 'alice');
  store.pipelines.create('shop', 'alice');
  store.pipelines.couple('shop', 'shop-staging', 'staging', 'alice');
  store.pipelines.couple('shop', 'shop-prod', 'production', 'alice');
  assert.throws(() => store.pipelines.promote('shop-staging', ['shop-prod'], 'alice'), errorId('conflict'));
  deploy(store, 'shop-staging', 'c'.repeat(64));
  store.deploys.updateConfig('shop-staging', { MODE: 'staging' }, 'alice');
  store.deploys.finishRelease('shop-staging', 3, { status: 'succeeded' });
  store.deploys.updateConfig('shop-prod', { MODE: 'production' }, 'alice');

  const { promotion, targets } = store.pipelines.promote('shop-staging', ['shop-prod'], 'alice');
  assert.equal(promotion.sourceReleaseVersion, 3);
  const [made] = targets;
  assert.ok(made);
  assert.equal(made.release.description, 'Promote shop-staging v3');
  assert.equal(made.release.status, 'pending');
  const slug = store.slugs.get(made.release.slugId ?? '');
  assert.equal(slug?.checksum, 'c'.repeat(64));
  assert.equal(slug?.appId, store.apps.require('shop-prod').id);
  assert.deepEqual(store.deploys.configOf(store.apps.require('shop-prod'), made.release.configVersion), { MODE: 'production' });
  // The shared file is in use as long as either app records it.
  store.apps.destroy('shop-staging', 'alice');
  assert.ok(store.slugUsage.knownChecksums().has('c'.repeat(64)));

  const finished = store.pipelines.finishTarget(made.target.id, { status: 'succeeded' });
  assert.equal(finished.status, 'succeeded');
  assert.deepEqual(store.pipelines.promotionTargets(promotion.id).map((target) => [target.appName, target.status, target.releaseVersion]), [['shop-prod', 'succeeded', made.release.version]]);
  // The history outlives the source app.
  assert.equal(store.pipelines.promotion(promotion.id)?.sourceAppName, 'shop-staging');
});
