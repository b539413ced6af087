/**
 * The Resources page: an app's postgresql and redis add-ons (local provider) with a
 * verified backup, and the attachments they made, read in Chromium under the dashboard's
 * strict CSP. Photographed into e2e/results/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { CHROMIUM_PATH, launchChromium, saveScreenshot } from '../src/browser.js';
import { createDashboard } from '../src/dashboard.js';
import { eventually } from '../src/eventually.js';
import { startPaasd } from '../src/paasd-process.js';
import type { RunningPaasd } from '../src/paasd-process.js';
import { PAASD_MAIN } from '../src/paths.js';
import { saveOutput } from '../src/story-steps.js';

const APP = 'stocked';
const DOMAIN = 'paas.test';

function missingReason(): string | undefined {
  if (!existsSync(PAASD_MAIN)) return `paasd is not built (${PAASD_MAIN} is missing): run npx tsc -b first`;
  if (!existsSync(CHROMIUM_PATH)) return `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
  if (!existsSync('/usr/lib/postgresql') || !existsSync('/usr/bin/redis-server')) return 'postgresql or redis-server is not installed (apt-get install postgresql redis-server)';
  return undefined;
}
const missing = missingReason();
const skip = missing !== undefined && !process.env.CI ? missing : false;

interface Addon {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly state_reason: string | null;
}

describe('the Resources page lists an app\'s add-ons, their backups and its attachments', { skip, timeout: 5 * 60_000 }, () => {
  let paasd: RunningPaasd;
  let browser: Browser | undefined;
  let page: Page;
  const made: Addon[] = [];
  const violations: string[] = [];

  before(async () => {
    paasd = await startPaasd({ domain: DOMAIN, env: { PAAS_RUNTIME: 'local', LOG_LEVEL: 'info' } });
    browser = await launchChromium(DOMAIN);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(60_000);
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
  });

  after(async () => {
    try {
      await browser?.close();
      // The add-ons' servers outlive an app that is not destroyed with confirmation: removed here.
      for (const addon of made) await paasd?.api('DELETE', `/addons/${addon.id}`).catch(() => undefined);
      await paasd?.stop();
    } finally {
      if (paasd) await saveOutput('paasd-resources.log', paasd.output());
    }
  });

  it('shows plan, state, config vars, the verified backup and the attachments', async () => {
    try {
      await story();
    } catch (error) {
      if (page) await saveScreenshot(page, 'resources-failed').catch(() => undefined);
      throw error;
    }
  });

  async function story(): Promise<void> {
    await paasd.api('POST', '/apps', { name: APP });
    for (const plan of ['postgresql', 'redis']) made.push((await paasd.api('POST', `/apps/${APP}/addons`, { plan })) as Addon);
    for (const addon of made) {
      await eventually(
        async () => {
          const now = (await paasd.api('GET', `/addons/${addon.id}`)) as Addon;
          assert.notEqual(now.state, 'failed', now.state_reason ?? '');
          return now.state === 'provisioned' ? now : undefined;
        },
        { what: `${addon.name} provisioned`, timeoutMs: 90_000, intervalMs: 250 },
      );
    }
    const [pg, redis] = made as [Addon, Addon];
    await paasd.api('POST', `/addons/${pg.id}/backups`);

    const ui = createDashboard(page);
    await page.goto(`${paasd.url}/`);
    await ui.signIn(paasd.token);
    await page.goto(`${paasd.url}/#/apps/${APP}`);
    await ui.openTab('Resources');
    await ui.row(pg.name).filter({ hasText: 'postgresql:local' }).filter({ hasText: 'provisioned' }).filter({ hasText: 'DATABASE' }).waitFor();
    await ui.row(redis.name).filter({ hasText: 'redis:local' }).filter({ hasText: 'REDIS_URL' }).waitFor();
    // The backup finishes in a second or two; the page polls every 15 s.
    await eventually(
      async () => {
        if ((await ui.row(pg.name).filter({ hasText: 'b001 verified: 0 tables, 0 rows · 1 backup' }).count()) > 0) return true;
        await page.reload();
        return undefined;
      },
      { what: 'the verified backup on the page', timeoutMs: 60_000, intervalMs: 1_000 },
    );
    // The attachments table: each var, its add-on, and who owns it.
    await ui.row('DATABASE_URL').filter({ hasText: pg.name }).filter({ hasText: 'this app' }).waitFor();
    await ui.row('REDIS_URL').filter({ hasText: redis.name }).filter({ hasText: 'this app' }).waitFor();
    await saveScreenshot(page, 'resources');
    assert.deepEqual(violations, [], 'no CSP violation on the Resources page');
  }
});
