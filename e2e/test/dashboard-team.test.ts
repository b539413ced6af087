/**
 * The dashboard as a member of a team sees it, in Debian's Chromium against the real
 * paasd: signed in with their own token, they see only the app given to them; another
 * app's page answers as a missing app does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { browserSuiteSkip, launchChromium, saveScreenshot } from '../src/browser.js';
import { createDashboard } from '../src/dashboard.js';
import { startPaasd } from '../src/paasd-process.js';
import type { RunningPaasd } from '../src/paasd-process.js';

const DOMAIN = 'team.test';
const MEMBER = 'dev@team.test';

const skip = browserSuiteSkip();

describe('a member in the dashboard', { skip, timeout: 5 * 60_000 }, () => {
  let paasd: RunningPaasd;
  let browser: Browser | undefined;
  let page: Page;
  let memberToken: string;

  before(async () => {
    paasd = await startPaasd({ domain: DOMAIN, env: { PAAS_RUNTIME: 'local' } });
    for (const name of ['mine', 'theirs']) await paasd.api('POST', '/apps', { name });
    const added = (await paasd.api('POST', '/users', { email: MEMBER })) as { authorization: { access_token: { token: string } } };
    memberToken = added.authorization.access_token.token;
    await paasd.api('POST', '/apps/mine/collaborators', { user: MEMBER, permissions: ['deploy'] });
    browser = await launchChromium(DOMAIN);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(60_000);
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await paasd?.stop();
  });

  it('signs in as themselves and sees only the app given; the other is not found', async () => {
    const ui = createDashboard(page);
    await page.goto(`${paasd.url}/`);
    await ui.signIn(memberToken);
    await page.getByText(`Signed in as ${MEMBER}`).waitFor();
    await page.getByRole('link', { name: 'mine', exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'theirs', exact: true }).count(), 0);
    await saveScreenshot(page, 'team-01-member-apps');
    await page.goto(`${paasd.url}/#/apps/theirs`);
    await page.getByRole('alert').filter({ hasText: "Couldn't find that app: theirs." }).waitFor();
    await saveScreenshot(page, 'team-02-other-app-not-found');
  });
});
