/**
 * The Metrics page after real traffic: the well-behaved fixture is pushed with git (the
 * procfile buildpack: no install), requests go through the router, and the charts, their
 * summaries, the release mark and the twelve-factor card are checked in Chromium, under
 * the dashboard's strict CSP. Photographed into e2e/results/.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import { browserSuiteSkip, launchChromium, saveScreenshot } from '../src/browser.js';
import { createDashboard } from '../src/dashboard.js';
import { createGitRepo } from '../src/git-repo.js';
import type { GitRepo } from '../src/git-repo.js';
import { startPaasd } from '../src/paasd-process.js';
import type { RunningPaasd } from '../src/paasd-process.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { saveOutput } from '../src/story-steps.js';

const APP = 'charts';
const DOMAIN = 'paas.test';

const skip = browserSuiteSkip();

/** One GET through the router, with the app's Host. */
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `${APP}.${DOMAIN}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Pixels on the chart's canvas in one of its series' colours (the dashboard's first four:
 * #2f8f5b, #4b7bec, #e0a030, #d9443a): the data, not the axes or grid. Any series counts: on the
 * response-time chart one slow answer (a p99 of 2.25 s in a CI run on a loaded machine) flattens
 * the p50 line onto the axis, where the other lines can cover it.
 */
const seriesPixels = (page: Page, chart: string): Promise<number> =>
  page.locator(`[data-chart="${chart}"] canvas`).evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
    const series = [[47, 143, 91], [75, 123, 236], [224, 160, 48], [217, 68, 58]];
    const near = (i: number, value: number): boolean => Math.abs((data[i] ?? 0) - value) < 16;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if ((data[i + 3] ?? 0) > 200 && series.some(([r = 0, g = 0, b = 0]) => near(i, r) && near(i + 1, g) && near(i + 2, b))) n += 1;
    }
    return n;
  });

describe('the Metrics page charts the traffic an app has had', { skip, timeout: 5 * 60_000 }, () => {
  let paasd: RunningPaasd;
  let browser: Browser | undefined;
  let repo: GitRepo | undefined;
  let page: Page;
  const violations: string[] = [];

  before(async () => {
    paasd = await startPaasd({ domain: DOMAIN, env: { PAAS_RUNTIME: 'local', LOG_LEVEL: 'info', PAAS_METRICS_SAMPLE_INTERVAL: '1' } });
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
      await repo?.remove();
      await paasd?.stop();
    } finally {
      if (paasd) await saveOutput('paasd-metrics.log', paasd.output());
    }
  });

  it('shows requests, response times, memory and CPU, the release, and the scorecard', async () => {
    try {
      await story();
    } catch (error) {
      if (page) await saveScreenshot(page, 'metrics-failed').catch(() => undefined);
      throw error;
    }
  });

  async function story(): Promise<void> {
    await paasd.api('POST', '/apps', { name: APP });
    await paasd.api('PUT', `/apps/${APP}/buildpack-installations`, { updates: [{ buildpack: 'procfile' }] });
    repo = await createGitRepo(join(FIXTURES_DIR, 'well-behaved'), `${paasd.url}/${APP}.git`, paasd.token);
    const pushed = await repo.run(['push', 'paas', 'main']);
    assert.equal(pushed.code, 0, pushed.out);
    for (let i = 0; i < 40; i += 1) assert.equal(await get(paasd.routerPort, '/'), 200);
    await Promise.all(Array.from({ length: 10 }, async () => assert.equal(await get(paasd.routerPort, '/delay/200'), 200)));
    for (let i = 0; i < 5; i += 1) assert.equal(await get(paasd.routerPort, '/missing'), 404);
    assert.equal(await get(paasd.routerPort, '/allocate/64'), 200);

    const ui = createDashboard(page);
    await page.goto(`${paasd.url}/`);
    await ui.signIn(paasd.token);
    await page.goto(`${paasd.url}/#/apps/${APP}`);
    await ui.openTab('Metrics');
    await page.locator('[data-chart-summary="requests"]').filter({ hasText: '56 requests (2xx 51 · 4xx 5)' }).waitFor();
    await page.locator('[data-chart-summary="latency"]').filter({ hasText: /p95 up to ([2-9]\d\d|\d{4,})(\.\d)? ms/ }).waitFor();
    // Samples come every second and the page polls every ten.
    await page.locator('[data-chart-summary="memory"]').filter({ hasText: /web\.1 up to (\d{2,}(\.\d)?) MB/ }).waitFor({ timeout: 30_000 });
    await page.locator('[data-chart-summary="cpu"]').filter({ hasText: /web\.1 up to/ }).waitFor();
    for (const chart of ['requests', 'latency', 'memory', 'cpu']) {
      // A poll may redraw a chart just as it is read: look again for a few seconds.
      let drawn = await seriesPixels(page, chart);
      for (let tries = 0; drawn <= 20 && tries < 20; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        drawn = await seriesPixels(page, chart);
      }
      assert.ok(drawn > 20, `${chart}: its data is drawn`);
    }
    await page.locator('[data-factor="VII"][data-verdict="meets"]').waitFor();
    await page.locator('[data-factor="XII"][data-verdict="meets"]').waitFor();
    await saveScreenshot(page, 'metrics-1h');

    await page.getByRole('button', { name: '24 h' }).click();
    await page.getByText(/^Last 24 h, one point per 15 min/).waitFor();
    await page.locator('[data-chart-summary="requests"]').filter({ hasText: '56 requests' }).waitFor();
    await saveScreenshot(page, 'metrics-24h');
    assert.deepEqual(violations, [], 'no CSP violation on the Metrics page');
  }
});
