import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { startPlatform } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '30', PAAS_STOP_GRACE: '2' };

test('git push of a Go app, a yarn app, a yarn Plug’n’Play app, a Python app, an app with nothing to run and an unsupported app (local builds)', { timeout: 300_000 }, async (t) => {
  const p = await startPlatform(t, FAST);

  const go = await p.pushFixture('gosvc', 'go-web');
  assert.equal(go.code, 0, go.out);
  assert.match(go.out, /remote: -----> Go app detected/);
  assert.match(go.out, /remote: -----> Released v2/);
  const goAnswer = await p.get('gosvc');
  assert.equal(goAnswer.status, 200, goAnswer.body);
  assert.match(goAnswer.body, /hello from a vendored module/);

  // yarn start makes its shims in /tmp: the sandbox's /tmp must be writable for the app user.
  const yarn = await p.pushFixture('yarnsvc', 'yarn-classic');
  assert.equal(yarn.code, 0, yarn.out);
  assert.match((await p.get('yarnsvc')).body, /"app":"yarn-classic"/);

  // Plug'n'Play: the Procfile's plain `node server.js` resolves its dependencies through .pnp.cjs.
  const pnp = await p.pushFixture('pnpsvc', 'yarn-pnp');
  assert.equal(pnp.code, 0, pnp.out);
  assert.match(pnp.out, /remote: +Installing node modules \(yarn install --immutable, linker: pnp\)/);
  assert.match((await p.get('pnpsvc')).body, /"app":"yarn-pnp".*"pnp":true/);

  const py = await p.pushFixture('pysvc', 'python-web');
  assert.equal(py.code, 0, py.out);
  assert.match(py.out, /remote: -----> Python app detected/);
  const pyAnswer = await p.get('pysvc');
  assert.equal(pyAnswer.status, 200, pyAnswer.body);
  assert.match(pyAnswer.body, /hello from a wheel/);

  // Nothing to run: built and released, and the push says so.
  const dir = await mkdtemp(join(tmpdir(), 'paas-nothing-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'requirements.txt'), '');
  await p.h.send('POST', '/apps', { name: 'idle' });
  const repo = await p.git.repo('idle', { dir }, `${p.api}/idle.git`);
  const nothing = await p.git.run(repo, ['push', 'paas', 'main']);
  assert.equal(nothing.code, 0, nothing.out);
  assert.match(nothing.out, /remote: +! {5}Warning: this app declares no process types, so the release runs nothing\./);
  assert.match(nothing.out, /remote: -----> Released v2/);

  const refused = await p.pushFixture('rubyapp', 'unsupported');
  assert.notEqual(refused.code, 0);
  assert.doesNotMatch(refused.out, /Procfile app detected|keeps serving|previous release/);
  assert.match(refused.out, /No buildpack recognized this app \(tried, in order: nodejs, python, go, static, procfile\)/);
  assert.match(refused.out, /paas buildpacks:set/);
});
