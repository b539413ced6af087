/**
 * The Pipeline page in Chromium: two apps pushed with git and coupled as staging and
 * production, the page's stages and releases, the diff shown before Promote (the commit
 * production lacks), a click on Promote, and production answering with staging's code
 * through the router. Photographed into e2e/results/.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { browserSuiteSkip, launchChromium, saveScreenshot } from '../src/browser.js';
import { createDashboard } from '../src/dashboard.js';
import { eventually } from '../src/eventually.js';
import { createGitRepo } from '../src/git-repo.js';
import type { GitRepo } from '../src/git-repo.js';
import { startPaasd } from '../src/paasd-process.js';
import type { RunningPaasd } from '../src/paasd-process.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { saveOutput } from '../src/story-steps.js';

const DOMAIN = 'paas.test';

const skip = browserSuiteSkip();

/** The body of one GET through the router, with the app's Host. */
function body(port: number, app: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: `${app}.${DOMAIN}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(`${String(res.statusCode)} ${text}`));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the Pipeline page promotes staging to production', { skip, timeout: 5 * 60_000 }, () => {
  let paasd: RunningPaasd;
  let browser: Browser | undefined;
  let repo: GitRepo | undefined;
  let page: Page;

  before(async () => {
    paasd = await startPaasd({ domain: DOMAIN, env: { PAAS_RUNTIME: 'local', LOG_LEVEL: 'info' } });
    browser = await launchChromium(DOMAIN);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(60_000);
    page = await context.newPage();
  });

  after(async () => {
    try {
      await browser?.close();
      await repo?.remove();
      await paasd?.stop();
    } finally {
      if (paasd) await saveOutput('paasd-pipeline.log', paasd.output());
    }
  });

  it('shows the stages and the diff, and Promote releases staging\'s code downstream', async () => {
    try {
      await story();
    } catch (error) {
      if (page) await saveScreenshot(page, 'pipeline-failed').catch(() => undefined);
      throw error;
    }
  });

  async function story(): Promise<void> {
    for (const app of ['shop-staging', 'shop-prod']) {
      await paasd.api('POST', '/apps', { name: app });
      await paasd.api('PUT', `/apps/${app}/buildpack-installations`, { updates: [{ buildpack: 'procfile' }] });
    }
    repo = await createGitRepo(join(FIXTURES_DIR, 'well-behaved'), `${paasd.url}/shop-staging.git`, paasd.token);
    assert.equal((await repo.run(['remote', 'add', 'prod', `${paasd.url}/shop-prod.git`])).code, 0);
    for (const remote of ['paas', 'prod']) {
      const pushed = await repo.run(['push', remote, 'main']);
      assert.equal(pushed.code, 0, pushed.out);
    }
    // New code on staging only: its answer says so.
    const server = join(repo.dir, 'server.py');
    const original = readFileSync(server, 'utf8');
    const changed = original.replace('json.dumps({', 'json.dumps({"code": "promoted code", ');
    assert.notEqual(changed, original, 'the fixture answers with json.dumps({…})');
    writeFileSync(server, changed);
    assert.equal((await repo.run(['commit', '-qam', 'Answer with the promoted code'])).code, 0);
    const second = await repo.run(['push', 'paas', 'main']);
    assert.equal(second.code, 0, second.out);
    await paasd.api('POST', '/pipelines', { name: 'shop' });
    await paasd.api('POST', '/pipeline-couplings', { app: 'shop-staging', pipeline: 'shop', stage: 'staging' });
    await paasd.api('POST', '/pipeline-couplings', { app: 'shop-prod', pipeline: 'shop', stage: 'production' });

    const ui = createDashboard(page);
    await page.goto(`${paasd.url}/`);
    await ui.signIn(paasd.token);
    await page.goto(`${paasd.url}/#/apps/shop-staging`);
    await ui.openTab('Pipeline');
    await page.getByRole('heading', { name: 'Pipeline shop' }).waitFor();
    const stages = page.getByRole('table', { name: 'Apps by stage' });
    await stages.getByRole('row').filter({ hasText: 'staging' }).filter({ hasText: 'shop-staging' }).filter({ hasText: 'v3' }).waitFor();
    await stages.getByRole('row').filter({ hasText: 'production' }).filter({ hasText: 'shop-prod' }).filter({ hasText: 'v2' }).waitFor();
    // The diff comes before the button: the commit production has not got.
    const promotion = page.getByRole('region', { name: 'Promotion to shop-prod' });
    await promotion.getByRole('heading', { name: 'shop-staging v3 → shop-prod v2' }).waitFor();
    await promotion.getByText(/Answer with the promoted code \(E2E\)/).waitFor();
    await saveScreenshot(page, 'pipeline-before-promote');

    await page.getByRole('button', { name: 'Promote' }).click();
    await ui.status(/^Promoting shop-staging v3 to shop-prod: each gets a new release\./).waitFor();
    const answer = await eventually(
      async () => {
        const text = await body(paasd.routerPort, 'shop-prod');
        return text.startsWith('200 ') && text.includes('promoted code') ? text : undefined;
      },
      { what: 'shop-prod to answer with the promoted code', timeoutMs: 60_000, intervalMs: 250 },
    );
    assert.match(answer, /promoted code/);
    const releases = (await paasd.api('GET', '/apps/shop-prod/releases')) as { version: number; description: string }[];
    assert.equal(releases[0]?.description, 'Promote shop-staging v3');
    assert.equal((await paasd.api('GET', '/apps/shop-prod/builds') as unknown[]).length, 1, 'no build for the promotion');
    // The page follows: production now at v3, and nothing left to bring downstream.
    const stagingCommit = (await repo.run(['rev-parse', '--short=7', 'HEAD'])).out.trim();
    await page.reload();
    await stages.getByRole('row').filter({ hasText: 'production' }).filter({ hasText: 'v3' }).filter({ hasText: stagingCommit }).waitFor();
    await promotion.getByText('shop-prod is up to date.').waitFor();
    await saveScreenshot(page, 'pipeline-after-promote');
  }
});
