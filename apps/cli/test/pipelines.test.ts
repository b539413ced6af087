/**
 * Pipelines from the CLI against a real paasd (PAAS_RUNTIME=local), without app code: the
 * couplings, the info table, a refused promotion (nothing to promote) and the clean-up.
 * Promotion of real code is tested against the platform in apps/paasd/test/pipelines.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { paasdMissingReason, startPaasd } from './paasd-process.js';
import type { RunningPaasd } from './paasd-process.js';
import { runPaas } from './run-paas.js';
import type { PaasRun } from './run-paas.js';

const missing = paasdMissingReason();
const skip = missing !== undefined && !process.env.CI ? missing : false;

function assertOk(run: PaasRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
}

describe('paas pipelines against a real paasd', { skip }, () => {
  let paasd: RunningPaasd;
  let root: string;
  let env: NodeJS.ProcessEnv;
  const paas = (args: string[]): Promise<PaasRun> => runPaas(args, { cwd: root, env, timeoutMs: 60_000 });

  before(async () => {
    paasd = await startPaasd({ env: { PAAS_RUNTIME: 'local' } });
    root = await mkdtemp(join(tmpdir(), 'paas-cli-pipelines-'));
    env = { HOME: root, PAAS_API_URL: paasd.url, PAAS_API_TOKEN: paasd.token };
    for (const app of ['shop-staging', 'shop-prod']) assertOk(await paas(['apps:create', app]), `apps:create ${app}`);
  });
  after(async () => {
    await paasd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('creates a pipeline, adds apps by stage, refuses to promote nothing, and removes them', async () => {
    const created = await paas(['pipelines:create', 'shop', '-a', 'shop-staging', '--stage', 'staging']);
    assertOk(created, 'pipelines:create');
    assert.match(created.stderr, /Creating shop pipeline\.\.\. done\nAdding shop-staging to shop pipeline as staging\.\.\. done/);
    assertOk(await paas(['pipelines:add', 'shop', '-a', 'shop-prod', '--stage', 'production']), 'pipelines:add');
    const badStage = await paas(['pipelines:add', 'shop', '-a', 'shop-prod', '--stage', 'qa']);
    assert.equal(badStage.code, 2, badStage.stderr);

    const list = await paas(['pipelines']);
    assertOk(list, 'pipelines');
    assert.match(list.stdout, /^=== Pipelines\nshop\n$/);
    const info = await paas(['pipelines:info', 'shop']);
    assertOk(info, 'pipelines:info');
    assert.match(info.stdout, /shop-staging\s+staging\nshop-prod\s+production\n$/);

    const promote = await paas(['pipelines:promote', '-a', 'shop-staging']);
    assert.equal(promote.code, 1, promote.stderr);
    assert.match(promote.stderr, /shop-staging has no code to promote yet: push to it first/);

    const enabled = await paas(['reviewapps:enable', '-p', 'shop', '--autodeploy', '--stale-days', '5', '--env', 'PAYMENTS=sandbox']);
    assertOk(enabled, 'reviewapps:enable');
    const reviewapps = await paas(['reviewapps', '-p', 'shop']);
    assertOk(reviewapps, 'reviewapps');
    assert.match(reviewapps.stdout, /Autodeploy: {2}on\nStale after: 5 days\nConfig vars: PAYMENTS\n\nNo review apps/);
    assert.equal((await paas(['reviewapps:enable', '-p', 'shop', '--stale-days', '0'])).code, 2);
    assertOk(await paas(['reviewapps:disable', '-p', 'shop']), 'reviewapps:disable');
    assert.match((await paas(['reviewapps', '-p', 'shop'])).stderr, /Review apps are off for shop/);

    assertOk(await paas(['pipelines:remove', '-a', 'shop-staging']), 'pipelines:remove');
    const again = await paas(['pipelines:remove', '-a', 'shop-staging']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not in a pipeline|Couldn't find/);
    assertOk(await paas(['pipelines:destroy', 'shop']), 'pipelines:destroy');
    assert.match((await paas(['pipelines'])).stdout, /No pipelines/);
  });
});
