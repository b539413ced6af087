/**
 * The whole platform as a user meets it in the dashboard: the real paasd (local
 * runtime), the real git client and Debian's Chromium. Sign in, create an app, push
 * the node-web fixture and watch its build, open the app, change a config var, scale,
 * read live logs, roll back. Every page is photographed into e2e/results/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { browserSuiteSkip, launchChromium, saveScreenshot } from '../src/browser.js';
import { createDashboard, waitForAnswer } from '../src/dashboard.js';
import type { Dashboard } from '../src/dashboard.js';
import { eventually } from '../src/eventually.js';
import { createGitRepo } from '../src/git-repo.js';
import type { GitRepo } from '../src/git-repo.js';
import { startPaasd } from '../src/paasd-process.js';
import type { RunningPaasd } from '../src/paasd-process.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { createStory, saveOutput } from '../src/story-steps.js';
import { startSyslogListener } from '../src/syslog-listener.js';
import type { SyslogListener } from '../src/syslog-listener.js';

const APP = 'demo';
const DOMAIN = 'paas.test';
/** A cold build fetches node and npm into an empty cache. */
const BUILD_TIMEOUT_MS = 10 * 60_000;
/** A release or a scale rolling out: processes start, boot, and the router switches. */
const ROLLOUT_TIMEOUT_MS = 120_000;
/** Any one action or page update. */
const PAGE_TIMEOUT_MS = 60_000;

const skip = browserSuiteSkip();

describe('the dashboard drives the whole platform', { skip, timeout: 30 * 60_000 }, () => {
  let paasd: RunningPaasd;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let ui: Dashboard | undefined;
  let appTab: Page;
  let repo: GitRepo | undefined;
  let syslog: SyslogListener | undefined;
  let appUrl: string;
  const step = createStory({ page: () => ui?.page, output: () => paasd?.output() ?? '' });
  const dashboard = (): Dashboard => {
    if (!ui) throw new Error('the browser did not start');
    return ui;
  };
  const shoot = (name: string): Promise<string> => saveScreenshot(dashboard().page, name);
  const answer = (what: string, accept: Parameters<typeof waitForAnswer>[3]) => waitForAnswer(appTab, appUrl, what, accept, ROLLOUT_TIMEOUT_MS);

  before(async () => {
    paasd = await startPaasd({ domain: DOMAIN, env: { PAAS_RUNTIME: 'local', LOG_LEVEL: 'info' } });
    appUrl = `http://${APP}.${DOMAIN}:${String(paasd.routerPort)}/`;
    browser = await launchChromium(DOMAIN);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(PAGE_TIMEOUT_MS);
    ui = createDashboard(await context.newPage());
  });

  after(async () => {
    try {
      await browser?.close();
      await repo?.remove();
      await paasd?.stop();
      await syslog?.close();
    } finally {
      if (paasd) await saveOutput('paasd.log', paasd.output());
    }
  });

  it('signs in with an API token', step('sign in', async () => {
    const { page, signIn } = dashboard();
    await page.goto(`${paasd.url}/`);
    await page.getByLabel('API token').waitFor();
    await shoot('01-sign-in');
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That token is not valid.' }).waitFor();
    await shoot('01-sign-in-refused');
    await signIn(paasd.token);
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    await page.getByText(/No apps yet/).waitFor();
    await shoot('02-apps-empty');
  }));

  it('creates an app', step('create an app', async () => {
    const { page, createApp } = dashboard();
    await createApp(APP);
    await page.getByText(`/${APP}.git`).waitFor();
    await page.getByLabel('Maintenance mode').waitFor();
    await shoot('03-overview-new-app');
  }));

  it('pushes the node-web fixture with git and watches the build on the builds page', step('push and build', async () => {
    const { page, openTab, cell } = dashboard();
    repo = await createGitRepo(join(FIXTURES_DIR, 'node-web'), `${paasd.url}/${APP}.git`, paasd.token);
    await openTab('Builds');
    const push = repo.run(['push', 'paas', 'main']);
    // The list refreshes every few seconds: a fast build may already be done when it does.
    await cell('pending').or(cell('succeeded')).waitFor({ timeout: BUILD_TIMEOUT_MS });
    await page.getByRole('link', { name: /^Output / }).first().click();
    await page.waitForURL((url) => /^#\/apps\/demo\/builds\/[^/]+$/.test(url.hash));
    await page.getByRole('status').filter({ hasText: /running for|took/ }).waitFor();
    await shoot('04-build-running');
    const output = page.getByLabel('Build output');
    await output.filter({ hasText: 'Node.js app detected' }).waitFor({ timeout: BUILD_TIMEOUT_MS });
    await output.filter({ hasText: 'Released v2' }).waitFor({ timeout: BUILD_TIMEOUT_MS });
    await page.getByRole('status').filter({ hasText: 'released v2' }).waitFor();
    await cell('succeeded').waitFor();
    const pushed = await push;
    assert.equal(pushed.code, 0, pushed.out);
    assert.match(pushed.out, /remote: -----> Released v2/);
    await shoot('05-builds-with-output');
  }));

  it('opens the app at its URL from the overview', step('open the app', async () => {
    const { page, openTab } = dashboard();
    await openTab('Overview');
    await page.getByText(/^v2( \(|$)/).first().waitFor();
    await shoot('06-overview');
    const popup = context.waitForEvent('page');
    await page.getByRole('link', { name: `http://${APP}.${DOMAIN}:${String(paasd.routerPort)}` }).first().click();
    appTab = await popup;
    const served = await answer('the app to answer at its URL', () => true);
    assert.equal(served.app, 'node-web');
    assert.equal(served.dyno, 'web.1');
    assert.equal(served.greeting, null);
    await appTab.goto(appUrl);
    await saveScreenshot(appTab, '07-app-url');
  }));

  it('sets and changes a config var; each new release serves it', step('config vars', async () => {
    const { page, openTab, row, status } = dashboard();
    await openTab('Config vars');
    await page.getByLabel('Key', { exact: true }).fill('GREETING');
    await page.getByLabel('Value', { exact: true }).fill('hello');
    await page.getByRole('button', { name: 'Add' }).click();
    await status('Set GREETING: released v3.').waitFor();
    await answer('release v3 to serve GREETING=hello', (a) => a.greeting === 'hello');
    await row('GREETING').getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Value of GREETING').fill('hello from the dashboard');
    await page.getByRole('button', { name: 'Save' }).click();
    await status('Saved GREETING: released v4.').waitFor();
    await answer('release v4 to serve the changed GREETING', (a) => a.greeting === 'hello from the dashboard');
    await row('GREETING').getByRole('button', { name: 'Reveal' }).click();
    await page.getByText('hello from the dashboard', { exact: true }).waitFor();
    await shoot('08-config-vars');
  }));

  it('scales web to 2 processes, restarts one, and the router uses both', step('scale web', async () => {
    const { page, openTab, cell, row, status } = dashboard();
    await openTab('Overview');
    await page.getByLabel('web quantity').fill('2');
    await page.getByRole('form', { name: 'Scale web' }).getByRole('button', { name: 'Scale' }).click();
    await status(/^Scaled web to 2 /).waitFor();
    await openTab('Processes');
    await cell('web.2').waitFor({ timeout: ROLLOUT_TIMEOUT_MS });
    const bothUp = () =>
      eventually(async () => ((await cell('up').count()) === 2 ? true : undefined), {
        what: 'web.1 and web.2 to be up on the processes page',
        timeoutMs: ROLLOUT_TIMEOUT_MS,
      });
    await bothUp();
    await row('web.2').getByRole('button', { name: 'Restart' }).click();
    await status('Restarting web.2.').waitFor();
    await bothUp();
    const seen = new Set<string>();
    await answer('the router to send requests to web.1 and web.2', (a) => {
      if (a.dyno) seen.add(a.dyno);
      return seen.has('web.1') && seen.has('web.2');
    });
    await shoot('09-processes');
  }));

  it('streams live logs, pauses and resumes them', step('live logs', async () => {
    const { page, openTab } = dashboard();
    await openTab('Logs');
    await page.getByText('Live: new lines appear as they are written.').waitFor();
    const log = page.getByRole('log', { name: 'Log lines' });
    const first = `/e2e-${randomBytes(6).toString('hex')}`;
    await appTab.goto(new URL(first, appUrl).href);
    await log.getByText(first).first().waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    const held = `/e2e-held-${randomBytes(6).toString('hex')}`;
    await appTab.goto(new URL(held, appUrl).href);
    await page.getByRole('button', { name: 'Resume' }).and(page.getByText(/new\)$/)).waitFor();
    assert.equal(await log.getByText(held).count(), 0, 'a paused view shows no new lines');
    await page.getByRole('button', { name: 'Resume' }).click();
    await log.getByText(held).first().waitFor();
    await shoot('10-logs');
  }));

  it('rolls back from the releases page', step('roll back', async () => {
    const { page, openTab, row, status } = dashboard();
    await openTab('Releases');
    await row('v2').getByRole('button', { name: 'Rollback' }).click();
    await page.getByRole('dialog', { name: 'Roll back to v2?' }).getByRole('button', { name: 'Confirm' }).click();
    await status('Created v5: Rollback to v2.').waitFor();
    await answer('the rolled-back release to serve no GREETING', (a) => a.greeting === null);
    await row('v5').getByText('current', { exact: true }).waitFor({ timeout: ROLLOUT_TIMEOUT_MS });
    await shoot('11-releases');
  }));

  it('adds a custom domain and a syslog drain that receives the log, and shows the activity', step('domains, drains, activity', async () => {
    const { page, openTab, cell, status } = dashboard();
    await openTab('Domains');
    await page.getByLabel('Hostname').fill('www.example.com');
    await page.getByRole('button', { name: 'Add' }).click();
    await status('Added www.example.com').waitFor();
    await cell('www.example.com').waitFor();
    await shoot('12-domains');
    await openTab('Drains');
    syslog = await startSyslogListener();
    const drainUrl = `syslog://127.0.0.1:${String(syslog.port)}`;
    await page.getByLabel('Drain URL').fill(drainUrl);
    await page.getByRole('button', { name: 'Add' }).click();
    await status(`Added a drain to ${drainUrl}`).waitFor();
    await page.getByRole('cell', { name: drainUrl }).waitFor();
    const drained = `/e2e-drained-${randomBytes(6).toString('hex')}`;
    await appTab.goto(new URL(drained, appUrl).href);
    const listener = syslog;
    await eventually(async () => (listener.received().includes(drained) ? true : undefined), {
      what: `the router line of ${drained} to reach the syslog drain`,
      timeoutMs: PAGE_TIMEOUT_MS,
    });
    await shoot('13-drains');
    await openTab('Activity');
    await cell('app.create').waitFor();
    await shoot('14-activity');
  }));

  it('lists the app on the apps page', step('apps list', async () => {
    const { page, row } = dashboard();
    await page.getByRole('link', { name: 'Apps', exact: true }).first().click();
    await row(APP).getByText('v5', { exact: true }).waitFor();
    await shoot('15-apps');
  }));

  it('fits a phone: no page scrolls sideways at 390 px', step('phone width', async () => {
    const { page, openTab } = dashboard();
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = (): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.getByRole('heading', { name: 'Apps' }).waitFor();
    assert.ok((await overflow()) <= 0, 'the apps page is wider than the screen');
    await shoot('16-phone-apps');
    await page.getByRole('link', { name: APP, exact: true }).click();
    await page.waitForURL((url) => url.hash === `#/apps/${APP}`);
    for (const tab of ['Overview', 'Processes', 'Releases', 'Config vars', 'Builds', 'Logs']) {
      await openTab(tab);
      assert.ok((await overflow()) <= 0, `the ${tab} page is wider than the screen`);
      await shoot(`16-phone-${tab.toLowerCase().replace(' ', '-')}`);
    }
  }));
});
