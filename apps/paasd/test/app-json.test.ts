import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import type { DynoResource, ReleaseResource } from '@paas/core';

import { FIXTURES, runtimeUnderTest, startPlatform } from './platform-under-test.js';

const SERVER = readFileSync(join(FIXTURES, 'py-web', 'server.py'), 'utf8');

const appJson = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    name: 'shop',
    env: { SECRET_KEY: { generator: 'secret' }, MODE: { value: 'demo' }, TOKEN: { description: 'from the vendor', required: true } },
    formation: { web: { quantity: 2 } },
    scripts: { postdeploy: 'echo "seeding $MODE: $((40+2))"' },
    ...extra,
  });

for (const runtime of ['local', 'docker'] as const) {
test(`app.json: errors fail the build before any release; required vars are named; secrets are made once; postdeploy runs once; formation applies (${runtime} runtime)`, { timeout: 600_000 }, async (t) => {
  const { env, skip } = await runtimeUnderTest(runtime);
  if (skip !== undefined) return t.skip(skip);
  const p = await startPlatform(t, env);
  await p.h.send('POST', '/apps', { name: 'shop' });
  await p.h.request({ method: 'PUT', url: '/apps/shop/buildpack-installations', payload: { updates: [{ buildpack: 'procfile' }] } });
  const bad = JSON.stringify({ env: { SECRET: { generator: 'uuid' } }, formation: { web: { quantity: 500 } }, scripts: { predeploy: 'x' } });
  const repo = await p.git.repo('shop', { files: { Procfile: 'web: python3 -u server.py\n', 'server.py': SERVER, 'app.json': bad } }, `${p.api}/shop.git`);
  const releases = async (): Promise<ReleaseResource[]> => (await p.h.request({ url: '/apps/shop/releases' })).json<ReleaseResource[]>();

  const invalid = await p.git.run(repo, ['push', 'paas', 'main']);
  assert.notEqual(invalid.code, 0, invalid.out);
  assert.match(invalid.out, /remote: {2}! {5}app\.json has 3 errors; nothing was released\.\s*\n/);
  assert.match(invalid.out, /remote: {2}! {7}env\.SECRET\.generator must be "secret", not "uuid"\s*\n/);
  assert.match(invalid.out, /remote: {2}! {7}formation\.web\.quantity must be a whole number from 0 to 100, not 500\s*\n/);
  assert.match(invalid.out, /remote: {2}! {7}scripts\.predeploy is not a script this platform runs \(postdeploy, pr-predestroy\)\s*\n/);
  assert.equal((await releases()).length, 1);

  writeFileSync(join(repo, 'app.json'), appJson());
  await p.git.run(repo, ['commit', '-qam', 'A valid app.json']);
  const missing = await p.git.run(repo, ['push', 'paas', 'main']);
  assert.notEqual(missing.code, 0, missing.out);
  assert.match(missing.out, /app\.json requires config var shop does not have: TOKEN\./);
  assert.match(missing.out, /paas config:set TOKEN=… -a shop/);
  assert.equal((await releases()).length, 1);

  await p.h.send('PATCH', '/apps/shop/config-vars', { TOKEN: 'vendor-token' });
  const first = await p.git.run(repo, ['push', 'paas', 'main']);
  assert.equal(first.code, 0, first.out);
  assert.match(first.out, /Setting config vars from app\.json: MODE, SECRET_KEY/);
  assert.match(first.out, /Running postdeploy script/);
  assert.match(first.out, /seeding demo: 42/);
  const config = (await p.h.request({ url: '/apps/shop/config-vars' })).json<Record<string, string>>();
  assert.match(config['SECRET_KEY'] ?? '', /^[0-9a-f]{64}$/);
  assert.equal(config['MODE'], 'demo');
  assert.equal(p.h.store.postdeploys.get('shop')?.exitCode, 0);
  await p.until('two web processes up (app.json formation)', async () =>
    (await p.h.request({ url: '/apps/shop/dynos' })).json<DynoResource[]>().filter((d) => d.state === 'up').length === 2,
  );
  const [build] = (await p.h.request({ url: '/apps/shop/builds' })).json<{ app_json: { name?: string; scripts?: unknown } | null }[]>();
  assert.deepEqual(build?.app_json?.scripts, { postdeploy: 'echo "seeding $MODE: $((40+2))"' }, 'app.json is kept with the build');

  // The next deploy keeps the secret, runs no postdeploy, and leaves a scale alone.
  await p.h.send('PATCH', '/apps/shop/formation', { updates: [{ type: 'web', quantity: 1 }] });
  writeFileSync(join(repo, 'CHANGES'), 'second\n');
  await p.git.run(repo, ['add', 'CHANGES']);
  await p.git.run(repo, ['commit', '-qm', 'Second']);
  const second = await p.git.run(repo, ['push', 'paas', 'main']);
  assert.equal(second.code, 0, second.out);
  assert.doesNotMatch(second.out, /postdeploy|Setting config vars/);
  const after = (await p.h.request({ url: '/apps/shop/config-vars' })).json<Record<string, string>>();
  assert.equal(after['SECRET_KEY'], config['SECRET_KEY']);
  assert.deepEqual((await p.h.request({ url: '/apps/shop/formation' })).json<{ type: string; quantity: number }[]>().map((f) => [f.type, f.quantity]), [['web', 1]]);
});
}
