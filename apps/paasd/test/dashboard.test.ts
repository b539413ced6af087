import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { DASHBOARD_CSP } from '../src/routes/dashboard.js';
import { startHarness } from './harness.js';

const DASHBOARD = fileURLToPath(new URL('../../../dashboard/', import.meta.url));
/** The budget for the first load: JS and CSS, gzipped. */
const BUDGET_BYTES = 200 * 1024;

function scripts(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return scripts(dir, `${prefix}${entry.name}/`);
    return entry.name.endsWith('.js') ? [`${prefix}${entry.name}`] : [];
  });
}

test('the dashboard page and its assets are public, with the security headers', async (t) => {
  const h = await startHarness(t);
  for (const url of ['/', '/assets/main.js', '/assets/pages/logs.js', '/assets/style.css', '/assets/vendor/uplot.js', '/assets/vendor/uplot.css']) {
    const response = await h.app.inject({ url });
    assert.equal(response.statusCode, 200, url);
    assert.equal(response.headers['content-security-policy'], DASHBOARD_CSP, url);
    assert.match(DASHBOARD_CSP, /frame-ancestors 'none'/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
    assert.equal(response.headers['referrer-policy'], 'no-referrer', url);
    assert.equal(response.headers['cache-control'], 'no-cache', url);
  }
  const page = await h.app.inject({ url: '/' });
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /<script type="module" src="\/assets\/main.js">/);
  assert.doesNotMatch(page.body, /https?:\/\//, 'nothing is loaded from elsewhere');
  assert.match(String((await h.app.inject({ url: '/assets/main.js' })).headers['content-type']), /^text\/javascript/);
  assert.match(String((await h.app.inject({ url: '/assets/style.css' })).headers['content-type']), /^text\/css/);
});

test('dashboard assets: gzip, revalidation, and nothing outside the whitelist', async (t) => {
  const h = await startHarness(t);
  const zipped = await h.app.inject({ url: '/assets/main.js', headers: { 'accept-encoding': 'gzip, deflate' } });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(zipped.headers.vary, 'accept-encoding');
  const etag = String(zipped.headers.etag);
  assert.equal((await h.app.inject({ url: '/assets/main.js', headers: { 'if-none-match': etag } })).statusCode, 304);
  for (const url of ['/assets/../package.json', '/assets/%2e%2e/package.json', '/assets/main.d.ts', '/assets/nope.js', '/assets/index.html', '/assets/..%2F..%2Fpackage.json', '/assets/a/b/c.js', '/assets/vendor/other.js', '/assets/vendor/uplot.d.ts']) {
    const response = await h.app.inject({ url });
    assert.equal(response.statusCode, 404, url);
    assert.equal(response.json<{ id: string }>().id, 'not_found', url);
  }
});

test('API answers may not be framed either', async (t) => {
  const h = await startHarness(t);
  for (const response of [await h.request({ url: '/apps' }), await h.app.inject({ url: '/apps' }), await h.app.inject({ url: '/healthz' })]) {
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  }
});

test('the first load stays under 200 KB of JS and CSS, gzipped', () => {
  const files = [
    ...scripts(join(DASHBOARD, 'dist', 'src')).map((name) => join(DASHBOARD, 'dist', 'src', name)),
    join(DASHBOARD, 'static', 'style.css'),
    join(DASHBOARD, 'static', 'index.html'),
    // The charting library, served from the dashboard's dependency (loaded by the Metrics page).
    createRequire(join(DASHBOARD, 'package.json')).resolve('uplot/dist/uPlot.esm.js'),
    createRequire(join(DASHBOARD, 'package.json')).resolve('uplot/dist/uPlot.min.css'),
  ];
  assert.ok(files.length > 10, 'the dashboard is built');
  const total = files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
  assert.ok(total < BUDGET_BYTES, `${String(total)} bytes gzipped`);
});
