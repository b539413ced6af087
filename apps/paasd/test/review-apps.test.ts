import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import type { ReviewAppResource } from '@paas/core';

import { FIXTURES, runtimeUnderTest, startPlatform } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '5', PAAS_STOP_GRACE: '2' };
const SERVER = readFileSync(join(FIXTURES, 'py-web', 'server.py'), 'utf8');
const APP_JSON = JSON.stringify({
  env: { SECRET_KEY: { generator: 'secret' }, MODE: { value: 'demo' } },
  environments: { review: { env: { MODE: { value: 'review' } } } },
  scripts: { 'pr-predestroy': 'echo "predestroy in $MODE"' },
});

for (const runtime of ['local', 'docker'] as const) {
test(`review apps: a branch push makes <pipeline>-<branch> from app.json and review settings; deleting the branch destroys it; stale ones go (${runtime} runtime)`, { timeout: 600_000 }, async (t) => {
  const { env, skip } = await runtimeUnderTest(runtime);
  if (skip !== undefined) return t.skip(skip);
  const p = await startPlatform(t, env);
  await p.h.send('POST', '/apps', { name: 'shop-prod' });
  await p.h.request({ method: 'PUT', url: '/apps/shop-prod/buildpack-installations', payload: { updates: [{ buildpack: 'procfile' }] } });
  const repo = await p.git.repo('shop', { files: { Procfile: 'web: python3 -u server.py\n', 'server.py': SERVER, 'app.json': APP_JSON } }, `${p.api}/shop-prod.git`);
  assert.equal((await p.git.run(repo, ['push', 'paas', 'main'])).code, 0);
  await p.h.send('PATCH', '/apps/shop-prod/config-vars', { DATABASE_PASSWORD: 'production-only' });

  // Review apps off: a branch is refused as before.
  await p.git.run(repo, ['checkout', '-q', '-b', 'feature/Login']);
  const refused = await p.git.run(repo, ['push', 'paas', 'feature/Login']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.out, /paas deploys only main \(or master\)/);

  await p.h.send('POST', '/pipelines', { name: 'shop' });
  await p.h.send('POST', '/pipeline-couplings', { app: 'shop-prod', pipeline: 'shop', stage: 'production' });
  const enabled = await p.h.send('POST', '/pipelines/shop/review-app-config', { autodeploy: true, stale_days: 1, env: { REVIEW_FLAG: 'on' } });
  assert.equal(enabled.statusCode, 201, enabled.body);

  const made = await p.git.run(repo, ['push', 'paas', 'feature/Login']);
  assert.equal(made.code, 0, made.out);
  assert.match(made.out, /Creating review app shop-feature-login for feature\/Login/);
  assert.match(made.out, /http:\/\/shop-feature-login\.example\.test:\d+\/ deployed to paas/);
  assert.equal((await p.get('shop-feature-login')).status, 200);
  const config = (await p.h.request({ url: '/apps/shop-feature-login/config-vars' })).json<Record<string, string>>();
  assert.equal(config['MODE'], 'review');
  assert.equal(config['REVIEW_FLAG'], 'on');
  assert.match(config['SECRET_KEY'] ?? '', /^[0-9a-f]{64}$/);
  assert.equal(config['DATABASE_PASSWORD'], undefined, 'production config is never copied');
  const listed = (await p.h.request({ url: '/pipelines/shop/review-apps' })).json<ReviewAppResource[]>();
  assert.deepEqual(listed.map((r) => [r.app.name, r.branch, r.parent_app.name]), [['shop-feature-login', 'feature/Login', 'shop-prod']]);

  // Autodeploy: the next push of the branch updates it.
  writeFileSync(join(repo, 'CHANGES'), 'more\n');
  await p.git.run(repo, ['add', 'CHANGES']);
  await p.git.run(repo, ['commit', '-qm', 'More']);
  const updated = await p.git.run(repo, ['push', 'paas', 'feature/Login']);
  assert.equal(updated.code, 0, updated.out);
  assert.match(updated.out, /Updating review app shop-feature-login/);

  const deleted = await p.git.run(repo, ['push', 'paas', ':feature/Login']);
  assert.equal(deleted.code, 0, deleted.out);
  assert.match(deleted.out, /predestroy in review/);
  assert.match(deleted.out, /Destroyed review app shop-feature-login/);
  assert.equal((await p.h.request({ url: '/apps/shop-feature-login' })).statusCode, 404);

  // Required vars missing: refused by name, and no app is left behind.
  await p.git.run(repo, ['checkout', '-q', '-b', 'needs-token']);
  writeFileSync(join(repo, 'app.json'), JSON.stringify({ env: { TOKEN: { required: true } } }));
  await p.git.run(repo, ['commit', '-qam', 'Needs a token']);
  const missing = await p.git.run(repo, ['push', 'paas', 'needs-token']);
  assert.notEqual(missing.code, 0, missing.out);
  assert.match(missing.out, /app\.json requires config var shop-needs-token does not have: TOKEN\./);
  assert.equal((await p.h.request({ url: '/apps/shop-needs-token' })).statusCode, 404);

  // Stale: not pushed to for longer than stale_days.
  await p.git.run(repo, ['checkout', '-q', '-b', 'old', 'main']);
  assert.equal((await p.git.run(repo, ['push', 'paas', 'old'])).code, 0);
  assert.deepEqual(await p.h.platform.reviewApps.sweepStale(new Date()), []);
  assert.deepEqual(await p.h.platform.reviewApps.sweepStale(new Date(Date.now() + 2 * 24 * 3600 * 1000)), ['shop-old']);
  assert.equal((await p.h.request({ url: '/apps/shop-old' })).statusCode, 404);
  assert.equal((await p.h.request({ url: '/apps/shop-prod' })).statusCode, 200);
});
}

const REDIS = existsSync('/usr/bin/redis-server');

test('a review app gets the add-ons app.json names, and they go with it', { timeout: 120_000, skip: REDIS ? false : 'redis-server is not installed (apt-get install redis-server)' }, async (t) => {
  const p = await startPlatform(t, FAST);
  await p.h.send('POST', '/apps', { name: 'blog-prod' });
  await p.h.request({ method: 'PUT', url: '/apps/blog-prod/buildpack-installations', payload: { updates: [{ buildpack: 'procfile' }] } });
  const appJson = JSON.stringify({ addons: [{ plan: 'redis', as: 'CACHE' }] });
  const repo = await p.git.repo('blog', { files: { Procfile: 'web: python3 -u server.py\n', 'server.py': SERVER, 'app.json': appJson } }, `${p.api}/blog-prod.git`);
  assert.equal((await p.git.run(repo, ['push', 'paas', 'main'])).code, 0);
  await p.h.send('POST', '/pipelines', { name: 'blog' });
  await p.h.send('POST', '/pipeline-couplings', { app: 'blog-prod', pipeline: 'blog', stage: 'production' });
  await p.h.send('POST', '/pipelines/blog/review-app-config', {});
  await p.git.run(repo, ['checkout', '-q', '-b', 'draft']);
  const made = await p.git.run(repo, ['push', 'paas', 'draft']);
  assert.equal(made.code, 0, made.out);
  assert.match(made.out, /Provisioning redis-[a-z0-9-]+ \(redis\) for blog-draft/);
  await p.until('CACHE_URL attached', async () => 'CACHE_URL' in (await p.h.request({ url: '/apps/blog-draft/config-vars' })).json<Record<string, string>>());
  assert.equal(p.h.store.addons.list('blog-prod').length, 0, 'the parent gets no add-on');
  const deleted = await p.git.run(repo, ['push', 'paas', ':draft']);
  assert.equal(deleted.code, 0, deleted.out);
  assert.deepEqual(p.h.store.addons.list(), []);
});
