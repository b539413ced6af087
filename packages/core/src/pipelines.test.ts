import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PaasError } from './errors.js';
import { checkPromotion, diffPipelineApps, nextStage } from './pipelines.js';

const source = { app: 'shop-staging', releaseVersion: 4, slug: { stack: 'paas-24', commit: null } };
const target = { app: 'shop-prod', stack: 'paas-24', sameApp: false };
const errorId = (id: string) => (error: unknown) => error instanceof PaasError && error.id === id;

test('a promotion is refused without code, without targets, to itself, and across stacks', () => {
  assert.doesNotThrow(() => checkPromotion(source, [target]));
  assert.throws(() => checkPromotion({ ...source, slug: undefined }, [target]), errorId('conflict'));
  assert.throws(() => checkPromotion(source, []), errorId('conflict'));
  assert.throws(() => checkPromotion(source, [{ ...target, sameApp: true }]), errorId('invalid_params'));
  assert.throws(
    () => checkPromotion(source, [{ ...target, stack: 'heroku-22' }]),
    (error: unknown) => errorId('stack_mismatch')(error) && /built on the paas-24 stack and cannot run on shop-prod, which runs on heroku-22/.test((error as Error).message),
  );
});

test('the diff names config keys and add-ons upstream has and downstream lacks', () => {
  const diff = diffPipelineApps(
    { configKeys: ['SECRET', 'API_URL', 'DATABASE_URL'], addons: [{ name: 'DATABASE', service: 'postgresql' }, { name: 'REDIS', service: 'redis' }] },
    { configKeys: ['API_URL'], addons: [{ name: 'REDIS', service: 'redis' }] },
  );
  assert.deepEqual(diff, { missingConfig: ['DATABASE_URL', 'SECRET'], missingAddons: [{ name: 'DATABASE', service: 'postgresql' }] });
  assert.equal(nextStage('staging'), 'production');
  assert.equal(nextStage('production'), undefined);
});

test('a review app is named after the pipeline and the branch, as a valid unique app name', async () => {
  const { reviewAppName } = await import('./pipelines.js');
  const none = (): boolean => false;
  assert.equal(reviewAppName('shop', 'feature/Checkout_v2', none), 'shop-feature-checkout-v2');
  assert.equal(reviewAppName('shop', 'a-very-long-branch-name-for-a-review', none), 'shop-a-very-long-branch-name-f');
  assert.equal(reviewAppName('shop', 'fix', (name) => name === 'shop-fix'), 'shop-fix-2');
  assert.equal(reviewAppName('shop', '--', none), 'shop');
});
