import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';

import type { ReleaseResource } from '@paas/core';

import { gitClient } from './git-client.js';
import { TOKEN, startHarness } from './harness.js';

test('one build per app at a time: a second push waits and is told; other apps build meanwhile', { timeout: 120_000 }, async (t) => {
  const h = await startHarness(t);
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  assert.ok(address && typeof address === 'object');
  const base = `http://127.0.0.1:${String(address.port)}`;
  const client = gitClient(t, TOKEN);
  const work = client.home;
  const git = client.run;

  // A pack whose compile holds until a gate file exists, when the app asks for it. A build is
  // contained (its own /tmp, nothing writable outside its tree): it says it holds on its output,
  // and reads the gate from a directory it can see.
  const gateDir = mkdtempSync(join('/var/tmp', 'paas-gate-'));
  chmodSync(gateDir, 0o755);
  t.after(() => rmSync(gateDir, { recursive: true, force: true }));
  const gate = join(gateDir, 'gate');
  const pack = join(work, 'pack');
  mkdirSync(join(pack, 'bin'), { recursive: true });
  const scripts = {
    detect: '#!/bin/sh\necho Gate\n',
    compile: `#!/bin/sh\necho "-----> Building $(cat "$1/name")"\nif [ -f "$1/hold" ]; then echo "-----> Holding"; while [ ! -f "${gate}" ]; do sleep 0.05; done; fi\n`,
    release: '#!/bin/sh\nprintf -- "---\\ndefault_process_types:\\n  web: python3 -m http.server \\"\\$PORT\\"\\n"\n',
  };
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(pack, 'bin', name), body);
    chmodSync(join(pack, 'bin', name), 0o755);
  }
  const makeRepo = (dir: string, app: string, hold: boolean): Promise<string> =>
    client.repo(dir, { files: { name: dir, ...(hold ? { hold: '' } : {}) } }, `${base}/${app}.git`);
  for (const app of ['one', 'two']) {
    await h.send('POST', '/apps', { name: app });
    await h.request({ method: 'PUT', url: `/apps/${app}/buildpack-installations`, payload: { updates: [{ buildpack: pack }] } });
  }
  const first = await makeRepo('first', 'one', true);
  const second = await makeRepo('second', 'one', false);
  const other = await makeRepo('other', 'two', false);

  const child = client.start(first, ['push', 'paas', 'main']);
  let firstOut = '';
  const holding = new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      firstOut += chunk.toString();
      if (firstOut.includes('Holding')) resolve();
    });
  });
  const firstPush = new Promise<{ code: number; out: string }>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, out: firstOut })));
  await holding;
  const secondPush = git(second, ['push', 'paas', 'main']);
  // Another app is not held up by one's build.
  const otherPush = await git(other, ['push', 'paas', 'main']);
  assert.equal(otherPush.code, 0, otherPush.out);
  assert.match(otherPush.out, /Released v2/);
  await sleep(300);
  writeFileSync(gate, '');
  const [a, b] = await Promise.all([firstPush, secondPush]);
  assert.equal(a.code, 0, a.out);
  assert.match(a.out, /Building first/);
  // The second push waited, then found main had moved under it, and was refused before building.
  assert.match(b.out, /Another build of one is running/);
  assert.match(b.out, /moved while this push waited/);
  assert.notEqual(b.code, 0);
  const releases = (await h.request({ url: '/apps/one/releases' })).json<ReleaseResource[]>();
  assert.deepEqual(releases.map((r) => r.version), [2, 1]);
});
